// URL parsing (shared/transport/url.cpp, parse_url): the collector address given at
// enrollment or in the agent config, and the base URL of an RT connector an admin types.

#include "shared/transport/url.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto url = transport::parse_url(text)) {
    // What parse_url promises of what it returns.
    if (url->host.empty() || url->port.empty() || url->path.empty() || url->path[0] != '/') {
      __builtin_trap();
    }
  }
  (void)transport::parse_url(text, "443");
  return 0;
}
