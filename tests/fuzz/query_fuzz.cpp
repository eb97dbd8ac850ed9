// A request target's query string and path segments (collector/api/query_params.cpp):
// percent-decoding, the name/value pairs, and the typed reads the API handlers make.

#include <limits>

#include "collector/api/query_params.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)collector::percent_decode(text);
  auto query = collector::parse_query(text);
  collector::QueryParams params(query);
  for (const auto& [name, value] : query) {
    (void)params.text(name);
    (void)params.list(name);
    (void)params.integer(name, 50, 1, 500);
    (void)params.integer(name, 0, std::numeric_limits<long>::min(),
                         std::numeric_limits<long>::max());
    (void)params.flag(name);
  }
  return 0;
}
