#include "shared/util/time_format.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace triage {

std::string format_rfc3339(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  auto seconds = std::chrono::system_clock::to_time_t(
      std::chrono::system_clock::time_point(std::chrono::seconds(ms / 1000)));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(seconds), ms % 1000);
}

}  // namespace triage
