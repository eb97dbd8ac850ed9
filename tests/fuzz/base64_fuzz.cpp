// Strict base64 (shared/pki/secrets.cpp, base64_decode_strict), the decoder of a stored
// password hash's salt and hash: what it accepts decodes to exactly 3 bytes per 4 characters
// less the padding, and the same text in a stored hash gives the same bytes.

#include "shared/pki/secrets.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = pki::base64_decode_strict(text);
  if (!decoded) return 0;
  const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  if (decoded->size() != text.size() / 4 * 3 - padding) __builtin_trap();
  auto parsed =
      pki::parse_password_hash("scrypt$16$1$1$" + std::string(text) + "$" + std::string(text));
  if (parsed && parsed->salt != *decoded) __builtin_trap();
  return 0;
}
