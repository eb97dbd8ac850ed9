#include "shared/protocol/version.hpp"

#include <algorithm>
#include <string>

namespace triage::protocol {

Result<std::uint32_t> negotiate_version(std::uint32_t offered_min, std::uint32_t offered_max,
                                        std::uint32_t our_min, std::uint32_t our_max) {
  auto range = [](std::uint32_t lo, std::uint32_t hi) {
    return std::to_string(lo) + ".." + std::to_string(hi);
  };
  if (offered_min == 0 || offered_max < offered_min) {
    return fail("invalid protocol version range " + range(offered_min, offered_max));
  }
  std::uint32_t hi = std::min(offered_max, our_max);
  std::uint32_t lo = std::max(offered_min, our_min);
  if (hi < lo) {
    return fail("agent speaks protocol " + range(offered_min, offered_max) +
                ", collector speaks " + range(our_min, our_max) + ": upgrade the " +
                (offered_max < our_min ? "agent" : "collector"));
  }
  return hi;
}

}  // namespace triage::protocol
