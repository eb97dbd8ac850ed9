#pragma once
// How long a device certificate is valid unless [agents] certificate_lifetime_s says otherwise:
// five years, renewed by the agent itself once two thirds of it have passed.

#include <chrono>
#include <cstdint>

namespace triage::collector {

inline constexpr std::chrono::seconds kDefaultCertificateLifetime{std::int64_t{5} * 365 * 86400};

}  // namespace triage::collector
