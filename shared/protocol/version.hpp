#pragma once
// Protocol version negotiation: the agent offers [min, max], the collector picks the highest
// version both speak or refuses with a message that names both ranges.

#include <cstdint>

#include "shared/util/result.hpp"

namespace triage::protocol {

/// The versions this build speaks. Bump kMax when adding a version; raise kMin only when
/// support for old agents is deliberately dropped.
inline constexpr std::uint32_t kProtocolMin = 1;
inline constexpr std::uint32_t kProtocolMax = 1;

/// The highest version in both [offered_min, offered_max] and [our_min, our_max].
Result<std::uint32_t> negotiate_version(std::uint32_t offered_min, std::uint32_t offered_max,
                                        std::uint32_t our_min = kProtocolMin,
                                        std::uint32_t our_max = kProtocolMax);

}  // namespace triage::protocol
