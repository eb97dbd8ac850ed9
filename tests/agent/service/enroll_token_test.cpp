// `triage-agent enroll` takes the token from a file or standard input, so it never has to sit
// on the command line where every local user sees it in `ps`.
#include <catch2/catch.hpp>
#include <sstream>

#include "agent/enroll/enroll_token.hpp"
#include "shared/util/files.hpp"
#include "tests/support/temp_dir.hpp"

using triage::agent::read_enrollment_token;
using triage::agent::TokenSource;

TEST_CASE("Enroll token only on the command line: it can come from a file or stdin", "[enroll]") {
  triage::testing::TempDir dir;
  auto file = dir.path() / "token";
  REQUIRE(triage::write_file_atomic(file, "tri_0123_filetoken\n", 0600));
  std::istringstream none;

  TokenSource from_file;
  from_file.file = file;
  auto t = read_enrollment_token(from_file, none);
  REQUIRE(t.has_value());
  CHECK(*t == "tri_0123_filetoken");

  std::istringstream in("  tri_0123_stdintoken\r\n");
  TokenSource from_stdin;
  from_stdin.from_stdin = true;
  t = read_enrollment_token(from_stdin, in);
  REQUIRE(t.has_value());
  CHECK(*t == "tri_0123_stdintoken");

  std::istringstream dash_in("tri_0123_dash\n");
  TokenSource dash;
  dash.value = "-";
  t = read_enrollment_token(dash, dash_in);
  REQUIRE(t.has_value());
  CHECK(*t == "tri_0123_dash");

  TokenSource literal;
  literal.value = "tri_0123_literal";
  t = read_enrollment_token(literal, none);
  REQUIRE(t.has_value());
  CHECK(*t == "tri_0123_literal");
}

TEST_CASE("An enrollment token source that gives nothing usable is a clear error", "[enroll]") {
  triage::testing::TempDir dir;
  std::istringstream empty_in("\n");

  TokenSource nothing;
  auto t = read_enrollment_token(nothing, empty_in);
  REQUIRE_FALSE(t.has_value());
  CHECK_THAT(t.error().message, Catch::Contains("--token-file"));

  TokenSource empty_stdin;
  empty_stdin.from_stdin = true;
  t = read_enrollment_token(empty_stdin, empty_in);
  REQUIRE_FALSE(t.has_value());
  CHECK_THAT(t.error().message, Catch::Contains("empty"));

  TokenSource missing;
  missing.file = dir.path() / "absent";
  t = read_enrollment_token(missing, empty_in);
  REQUIRE_FALSE(t.has_value());
  CHECK_THAT(t.error().message, Catch::Contains("absent"));

  TokenSource two;
  two.value = "x";
  two.from_stdin = true;
  t = read_enrollment_token(two, empty_in);
  REQUIRE_FALSE(t.has_value());
  CHECK_THAT(t.error().message, Catch::Contains("once"));

  REQUIRE(triage::write_file_atomic(dir.path() / "huge", std::string(10000, 'a'), 0600));
  TokenSource huge;
  huge.file = dir.path() / "huge";
  CHECK_FALSE(read_enrollment_token(huge, empty_in).has_value());
}
