#include "shared/pki/secrets.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

using namespace triage::pki;

namespace {

// RFC 7914 section 12: scrypt("pleaseletmein", "SodiumChloride", N=16384, r=8, p=1, dkLen=64).
constexpr const char* kRfcSalt = "U29kaXVtQ2hsb3JpZGU=";
constexpr const char* kRfcHash =
    "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofLVQylVYT8Pz2LUlwUkKpr55h6F3A1lHkDfzwF7RVdYhw==";

std::vector<std::string> split_fields(const std::string& text) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t pos; (pos = text.find('$', start)) != std::string::npos; start = pos + 1) {
    fields.push_back(text.substr(start, pos - start));
  }
  fields.push_back(text.substr(start));
  return fields;
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-2 test vectors", "[pki][secrets]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::string raw = sha256_raw("abc");
  CHECK(raw.size() == 32);
  CHECK(to_hex(raw) == sha256_hex("abc"));
}

TEST_CASE("to_hex is lowercase, two digits per byte", "[pki][secrets]") {
  CHECK(to_hex(std::string("\x00\xff\x10\xAB", 4)) == "00ff10ab");
  CHECK(to_hex("") == "");
}

TEST_CASE("random_bytes returns the requested amount, differently each time", "[pki][secrets]") {
  CHECK(random_bytes(0).empty());
  std::string a = random_bytes(32);
  std::string b = random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
}

TEST_CASE("random_token is unpadded base64url of the requested entropy", "[pki][secrets]") {
  std::size_t bytes = GENERATE(1, 2, 3, 16, 32, 33, 64);
  std::string token = random_token(bytes);
  CHECK(token.size() == (bytes * 4 + 2) / 3);
  CHECK(std::regex_match(token, std::regex("[A-Za-z0-9_-]*")));
}

TEST_CASE("random_token default is 32 bytes and uses the URL-safe alphabet", "[pki][secrets]") {
  CHECK(random_token().size() == 43);
  std::set<std::string> seen;
  std::string all;
  for (int i = 0; i < 200; ++i) {
    std::string token = random_token();
    seen.insert(token);
    all += token;
  }
  CHECK(seen.size() == 200);
  // 8600 characters: each of '-' and '_' is all but certain to appear, '+' '/' '=' never.
  CHECK(all.find('-') != std::string::npos);
  CHECK(all.find('_') != std::string::npos);
  CHECK(all.find_first_of("+/=") == std::string::npos);
}

TEST_CASE("random_uuid is an RFC 4122 version 4 UUID", "[pki][secrets]") {
  std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string uuid = random_uuid();
    INFO(uuid);
    CHECK(std::regex_match(uuid, v4));
    seen.insert(uuid);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("constant_time_equal compares content and length", "[pki][secrets]") {
  CHECK(constant_time_equal("secret", "secret"));
  CHECK(constant_time_equal("", ""));
  CHECK_FALSE(constant_time_equal("secret", "secreT"));
  CHECK_FALSE(constant_time_equal("secret", "Secret"));
  CHECK_FALSE(constant_time_equal("secret", "secret2"));
  CHECK_FALSE(constant_time_equal("secret", ""));
  CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  CHECK(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST_CASE("hash_password produces a self-describing scrypt string that verifies",
          "[pki][secrets]") {
  auto stored = hash_password("correct horse battery staple");
  INFO((stored ? *stored : stored.error().message));
  REQUIRE(stored);
  auto fields = split_fields(*stored);
  REQUIRE(fields.size() == 6);
  CHECK(fields[0] == "scrypt");
  CHECK(fields[1] == "32768");
  CHECK(fields[2] == "8");
  CHECK(fields[3] == "1");
  CHECK(fields[4].size() == 24);  // 16-byte salt
  CHECK(fields[5].size() == 44);  // 32-byte hash

  auto right = verify_password("correct horse battery staple", *stored);
  REQUIRE(right);
  CHECK(*right);
  auto wrong = verify_password("correct horse battery stapler", *stored);
  REQUIRE(wrong);
  CHECK_FALSE(*wrong);
  auto empty = verify_password("", *stored);
  REQUIRE(empty);
  CHECK_FALSE(*empty);
}

TEST_CASE("two hashes of one password differ by salt and both verify", "[pki][secrets]") {
  auto a = hash_password("hunter2");
  auto b = hash_password("hunter2");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a != *b);
  CHECK(split_fields(*a)[4] != split_fields(*b)[4]);
  CHECK(verify_password("hunter2", *a).value());
  CHECK(verify_password("hunter2", *b).value());
}

TEST_CASE("verify_password matches the RFC 7914 scrypt test vector", "[pki][secrets]") {
  const std::string stored = std::string("scrypt$16384$8$1$") + kRfcSalt + "$" + kRfcHash;
  auto right = verify_password("pleaseletmein", stored);
  REQUIRE(right);
  CHECK(*right);
  auto wrong = verify_password("pleaseletmeIn", stored);
  REQUIRE(wrong);
  CHECK_FALSE(*wrong);
}

TEST_CASE("verify_password rejects malformed stored hashes as errors", "[pki][secrets]") {
  const std::string salt = kRfcSalt;
  const std::string hash = kRfcHash;
  auto make = [&](std::string n, std::string r, std::string p, std::string s, std::string h) {
    return "scrypt$" + n + "$" + r + "$" + p + "$" + s + "$" + h;
  };
  std::string stored = GENERATE_COPY(
      std::string(""), std::string("scrypt"), std::string("plain-text-password"),
      "bcrypt$32768$8$1$" + salt + "$" + hash, "scrypt$32768$8$1$" + salt,
      make("32768", "8", "1", salt, hash) + "$extra", make("1000", "8", "1", salt, hash),
      make("1", "8", "1", salt, hash), make("0", "8", "1", salt, hash),
      make("0x8000", "8", "1", salt, hash), make("+32768", "8", "1", salt, hash),
      make("032768", "8", "1", salt, hash), make("", "8", "1", salt, hash),
      make("32768", "0", "1", salt, hash), make("32768", "33", "1", salt, hash),
      make("32768", "8", "0", salt, hash), make("32768", "8", "17", salt, hash),
      make("32768", "-8", "1", salt, hash), make("32768", "8", "1", "!!!!", hash),
      make("32768", "8", "1", " " + salt, hash), make("32768", "8", "1", salt, hash + "\n"),
      make("32768", "8", "1", salt, hash.substr(1)), make("32768", "8", "1", salt, "AAAA"),
      make("32768", "8", "1", "", hash), make("32768", "8", "1", "AAAA", hash),
      make("32768", "8", "1", salt, "=" + hash.substr(1)));
  INFO("stored: " << stored);
  auto result = verify_password("pw", stored);
  REQUIRE_FALSE(result);
  CHECK_FALSE(result.error().message.empty());
}

TEST_CASE("verify_password refuses parameters that would demand huge memory", "[pki][secrets]") {
  const std::string tail = std::string("$") + kRfcSalt + "$" + kRfcHash;
  auto huge_n = verify_password("pw", "scrypt$1073741824$8$1" + tail);
  REQUIRE_FALSE(huge_n);
  CHECK_THAT(huge_n.error().message, Catch::Contains("N=1073741824"));
  // Each value within its own bound, together 4 GiB.
  auto huge_mem = verify_password("pw", "scrypt$1048576$32$1" + tail);
  REQUIRE_FALSE(huge_mem);
  CHECK_THAT(huge_mem.error().message, Catch::Contains("MiB"));
}
