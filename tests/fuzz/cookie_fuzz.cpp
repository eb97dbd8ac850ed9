// The console's Cookie header (collector/auth/cookies.cpp, find_cookie): sent by any browser
// or client before it is authenticated.

#include "collector/auth/cookies.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const bool any_name = in.byte() & 1;
  auto name = any_name ? in.piece() : collector::kSessionCookie;
  (void)collector::find_cookie(in.rest(), name);
  return 0;
}
