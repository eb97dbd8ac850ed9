// TOTP and HOTP against the RFCs' own test vectors, base32 against RFC 4648's, and the
// otpauth:// URI authenticator apps import.

#include <catch2/catch.hpp>

#include "collector/auth/recovery_codes.hpp"
#include "collector/auth/totp.hpp"

using namespace triage;
using namespace triage::collector;

namespace {

// RFC 4226 appendix D and RFC 6238 appendix B (the SHA-1 column): the ASCII of this key.
const std::string kRfcKey = "12345678901234567890";

TimePoint unix_seconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

}  // namespace

TEST_CASE("TOTP matches the SHA-1 test vectors of RFC 6238 appendix B", "[auth][totp]") {
  auto [time, expected] = GENERATE(table<std::int64_t, std::string>({
      {59, "94287082"},
      {1111111109, "07081804"},
      {1111111111, "14050471"},
      {1234567890, "89005924"},
      {2000000000, "69279037"},
      {20000000000, "65353130"},
  }));
  CAPTURE(time);
  // T = time / 30 s (the vector at 20000000000 is past what a nanosecond time_point holds).
  auto code = totp_code(kRfcKey, time / 30, 8);
  REQUIRE(code);
  CHECK(*code == expected);
  if (time < 10'000'000'000) CHECK(totp_step(unix_seconds(time)) == time / 30);
}

TEST_CASE("HOTP matches the test vectors of RFC 4226 appendix D", "[auth][totp]") {
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < expected.size(); ++counter) {
    CAPTURE(counter);
    CHECK(hotp(kRfcKey, counter).value() == expected[counter]);
  }
  CHECK_FALSE(hotp(kRfcKey, 0, 5));
  CHECK_FALSE(hotp(kRfcKey, 0, 9));
}

TEST_CASE("base32 matches the test vectors of RFC 4648", "[auth][totp]") {
  auto [plain, encoded] = GENERATE(table<std::string, std::string>({
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  }));
  CHECK(base32_encode(plain) == encoded);
  CHECK(base32_decode(encoded).value() == plain);
  std::string lower = encoded;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(base32_decode(lower).value() == plain);
  CHECK_FALSE(base32_decode("MZ1W"));
  CHECK_FALSE(base32_decode(""));
}

TEST_CASE("a code is accepted one step either side of now, not two", "[auth][totp]") {
  const auto now = unix_seconds(1'800'000'015);
  const auto step = totp_step(now);
  for (std::int64_t delta : {-1, 0, 1}) {
    CAPTURE(delta);
    auto code = totp_code(kRfcKey, step + delta).value();
    CHECK(match_totp(kRfcKey, code, now) == step + delta);
  }
  for (std::int64_t delta : {-2, 2}) {
    auto code = totp_code(kRfcKey, step + delta).value();
    // Another step's code may collide by chance; it must not be these two.
    if (code != totp_code(kRfcKey, step).value()) CHECK_FALSE(match_totp(kRfcKey, code, now));
  }
  CHECK_FALSE(match_totp(kRfcKey, "12345", now));
  CHECK_FALSE(match_totp(kRfcKey, "12a456", now));
}

TEST_CASE("a new secret and its otpauth URI are what authenticator apps import", "[auth][totp]") {
  const auto secret = new_totp_secret();
  CHECK(secret.size() == 32);  // 160 bits
  CHECK(base32_decode(secret).value().size() == 20);
  CHECK(new_totp_secret() != secret);
  CHECK(otpauth_uri("triage", "jo smith@example.com", "JBSWY3DPEHPK3PXP") ==
        "otpauth://totp/triage:jo%20smith%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=triage"
        "&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("recovery codes hash the same however they are typed", "[auth][totp]") {
  const auto codes = new_recovery_codes();
  REQUIRE(codes.size() == 10);
  const auto& code = codes.front();
  CHECK(code.size() == 19);  // 16 characters in four groups
  auto hash = recovery_code_hash(code);
  REQUIRE(hash);
  std::string typed;
  for (char c : code) {
    if (c != '-') typed += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  CHECK(recovery_code_hash(typed) == hash);
  CHECK(recovery_code_hash(codes[1]) != hash);
  CHECK_FALSE(recovery_code_hash("123456"));
  CHECK_FALSE(recovery_code_hash("not-a-code"));
}
