#include "tests/support/deadline_scale.hpp"

#include <cstdlib>

namespace triage::testing {

namespace {

// g++ defines these under -fsanitize=address and -fsanitize=thread.
#if defined(__SANITIZE_THREAD__)
constexpr double kBuildScale = 5;
#elif defined(__SANITIZE_ADDRESS__)
constexpr double kBuildScale = 3;
#else
constexpr double kBuildScale = 1;
#endif

}  // namespace

double deadline_scale() {
  const char* text = std::getenv("TRIAGE_TEST_DEADLINE_SCALE");
  if (!text || !*text) return kBuildScale;
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (*end != '\0' || !(value >= 1)) return kBuildScale;
  return value;
}

std::chrono::milliseconds scaled(std::chrono::milliseconds timeout) {
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(
      static_cast<double>(timeout.count()) * deadline_scale()));
}

}  // namespace triage::testing
