// Unattended enrollment at the daemon's first start (agent/service/token_file_enrollment.hpp):
// the token file is used once and deleted, a refused or unsafe file is kept and named.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "agent/service/token_file_enrollment.hpp"
#include "shared/util/files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::agent;

namespace {

constexpr const char* kCa = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Recorder {
  int calls = 0;
  EnrollOptions seen;
  triage::Result<std::string> answer = std::string("dev-1");
  EnrollFunction function() {
    return [this](const EnrollOptions& o) -> triage::Result<std::string> {
      ++calls;
      seen = o;
      return answer;
    };
  }
};

TokenFileEnrollment source(const std::filesystem::path& file) {
  return {file, "wss://collector.example:8443", kCa, "pc-17"};
}

}  // namespace

TEST_CASE("Unattended install: the first start enrolls with the token file and deletes it",
          "[enroll]") {
  triage::testing::TempDir dir;
  const auto file = dir.path() / "enroll.token";
  REQUIRE(triage::write_file_atomic(file, "tri_abc_token\n", 0600));
  Recorder enroll;
  auto r = enroll_from_token_file(StateDir(dir.path() / "state"), source(file), enroll.function());
  REQUIRE(r.has_value());
  REQUIRE(r->has_value());
  CHECK(**r == "dev-1");
  CHECK(enroll.calls == 1);
  CHECK(enroll.seen.token == "tri_abc_token");
  CHECK(enroll.seen.server_url == "wss://collector.example:8443");
  CHECK(enroll.seen.ca_sha256 == kCa);
  CHECK(enroll.seen.hostname == "pc-17");
  CHECK(enroll.seen.state.root() == dir.path() / "state");
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("Unattended install: no token file, nothing to do", "[enroll]") {
  triage::testing::TempDir dir;
  Recorder enroll;
  auto r = enroll_from_token_file(StateDir(dir.path() / "state"), source(dir.path() / "absent"),
                                  enroll.function());
  REQUIRE(r.has_value());
  CHECK_FALSE(r->has_value());
  CHECK(enroll.calls == 0);
}

TEST_CASE("Unattended install: a refused enrollment keeps the token file for the next start",
          "[enroll]") {
  triage::testing::TempDir dir;
  const auto file = dir.path() / "enroll.token";
  REQUIRE(triage::write_file_atomic(file, "tri_abc_token\n", 0600));
  Recorder enroll;
  enroll.answer = triage::fail("the collector refused the enrollment: token expired");
  auto r = enroll_from_token_file(StateDir(dir.path() / "state"), source(file), enroll.function());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("token expired") != std::string::npos);
  CHECK(r.error().message.find(file.string()) != std::string::npos);
  CHECK(std::filesystem::exists(file));
}

TEST_CASE("Unattended install: a token file others may write is refused, not used", "[enroll]") {
  triage::testing::TempDir dir;
  const auto file = dir.path() / "enroll.token";
  REQUIRE(triage::write_file_atomic(file, "tri_abc_token\n", 0600));
  REQUIRE(::chmod(file.c_str(), 0666) == 0);
  Recorder enroll;
  auto r = enroll_from_token_file(StateDir(dir.path() / "state"), source(file), enroll.function());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("chmod 0600") != std::string::npos);
  CHECK(enroll.calls == 0);
  CHECK(std::filesystem::exists(file));
}

TEST_CASE("Unattended install: without the collector's URL and CA in the config it says so",
          "[enroll]") {
  triage::testing::TempDir dir;
  const auto file = dir.path() / "enroll.token";
  REQUIRE(triage::write_file_atomic(file, "tri_abc_token\n", 0600));
  Recorder enroll;
  auto s = source(file);
  s.ca_sha256.clear();
  auto r = enroll_from_token_file(StateDir(dir.path() / "state"), s, enroll.function());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("[collector] url and ca_sha256") != std::string::npos);
  CHECK(enroll.calls == 0);
}

TEST_CASE("Unattended install: an enrolled agent deletes a leftover token file unused",
          "[enroll]") {
  triage::testing::TempDir dir;
  const StateDir state(dir.path() / "state");
  REQUIRE(triage::ensure_directory(state.root(), 0700));
  // enrolled() looks for the enrollment record.
  REQUIRE(triage::write_file_atomic(state.enrollment(), "{}", 0600));
  REQUIRE(state.enrolled());
  const auto file = dir.path() / "enroll.token";
  REQUIRE(triage::write_file_atomic(file, "tri_abc_token\n", 0600));
  Recorder enroll;
  auto r = enroll_from_token_file(state, source(file), enroll.function());
  REQUIRE(r.has_value());
  CHECK_FALSE(r->has_value());
  CHECK(enroll.calls == 0);
  CHECK_FALSE(std::filesystem::exists(file));
}
