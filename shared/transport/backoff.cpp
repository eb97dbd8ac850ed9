#include "shared/transport/backoff.hpp"

#include <algorithm>

namespace triage::transport {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed)
    : base_(base), cap_(std::max(cap, base)), rng_(seed) {}

std::chrono::milliseconds Backoff::current_ceiling() const {
  // Stop doubling once past the cap; also keeps the shift far from overflow.
  auto ceiling = base_;
  for (std::uint32_t i = 0; i < failures_ && ceiling < cap_; ++i) ceiling *= 2;
  return std::min(ceiling, cap_);
}

std::chrono::milliseconds Backoff::next() {
  auto ceiling = current_ceiling();
  if (failures_ < 64) ++failures_;
  std::uniform_int_distribution<std::int64_t> pick(0, ceiling.count());
  return std::chrono::milliseconds(pick(rng_));
}

}  // namespace triage::transport
