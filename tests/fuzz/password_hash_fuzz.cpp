// A stored password hash as read from the database (shared/pki/secrets.cpp): what a login
// parses before scrypt runs, with the bounds that keep a planted row from costing gigabytes.
// The hash is computed only for the cheapest parameters, so the run stays fast.

#include "shared/pki/secrets.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view stored(reinterpret_cast<const char*>(data), size);
  auto parsed = pki::parse_password_hash(stored);
  if (parsed && parsed->n <= 16 && parsed->r <= 2 && parsed->p <= 2) {
    (void)pki::verify_password("correct horse", stored);
  }
  return 0;
}
