// Strict parsing of the Cookie header and the Set-Cookie values of the console session.

#include <catch2/catch.hpp>

#include "collector/auth/cookies.hpp"

using namespace triage::collector;
using namespace std::chrono_literals;

TEST_CASE("the session cookie is found among others") {
  auto found = [](std::string_view header) { return find_cookie(header, "triage_session"); };
  CHECK(found("triage_session=abc_DEF-123").value() == std::optional<std::string>("abc_DEF-123"));
  CHECK(found("theme=dark; triage_session=tok; lang=en").value() ==
        std::optional<std::string>("tok"));
  CHECK(found("theme=dark;triage_session=tok").value() == std::optional<std::string>("tok"));
  CHECK(found("  triage_session=tok  ;").value() == std::optional<std::string>("tok"));
  CHECK(found("triage_session=\"tok\"").value() == std::optional<std::string>("tok"));
  CHECK(found("theme=dark").value() == std::nullopt);
  CHECK(found("").value() == std::nullopt);
  CHECK(found("xtriage_session=tok").value() == std::nullopt);
  CHECK(found("triage_session_old=tok").value() == std::nullopt);
  // Other cookies' values are not ours to judge, as long as the structure holds.
  CHECK(found("prefs={\"a\":1}; triage_session=tok").value() == std::optional<std::string>("tok"));
}

TEST_CASE("malformed, ambiguous and oversized Cookie headers are refused") {
  auto bad = [](std::string_view header) { return !find_cookie(header, "triage_session"); };
  CHECK(bad("triage_session=a; triage_session=b"));  // a planted duplicate must not win
  CHECK(bad("triage_session=a; triage_session=a"));
  CHECK(bad("triage_session="));
  CHECK(bad("triage_session=has space"));
  CHECK(bad("triage_session=semi;colon=x; triage_session=y"));
  CHECK(bad("triage_session=a.b"));
  CHECK(bad("triage_session=" + std::string(129, 'a')));
  CHECK_FALSE(bad("triage_session=" + std::string(128, 'a')));
  CHECK(bad("novalue; triage_session=a"));
  CHECK(bad("=a; triage_session=a"));
  CHECK(bad("bad name=1; triage_session=a"));
  CHECK(bad(std::string("x=\x01; triage_session=a")));
  CHECK(bad("x=1\r\n; triage_session=a"));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "c" + std::to_string(i) + "=1; ";
  CHECK(bad(many));
  CHECK(bad("x=" + std::string(kMaxCookieHeaderBytes, 'a')));
  // The __Host- name is a cookie token like any other.
  CHECK(find_cookie("theme=dark; __Host-triage_session=tok", kSessionCookie).value() ==
        std::optional<std::string>("tok"));
  CHECK(find_cookie("triage_session=tok", kSessionCookie).value() == std::nullopt);
}

TEST_CASE("Set-Cookie values carry every protective attribute") {
  auto set = session_cookie("tok", 3600s);
  // __Host-: the browser takes it only from a secure origin, for Path=/, with no Domain.
  CHECK(set ==
        "__Host-triage_session=tok; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600");
  CHECK(set.find("Domain") == std::string::npos);
  CHECK(kSessionCookie == "__Host-triage_session");
  auto clear = expired_session_cookie();
  CHECK_THAT(clear, Catch::StartsWith("__Host-triage_session=;") && Catch::EndsWith("Max-Age=0") &&
                        Catch::Contains("HttpOnly") && Catch::Contains("Secure"));
}

TEST_CASE("every method but GET, HEAD and OPTIONS needs the CSRF header") {
  CHECK_FALSE(is_unsafe_method("GET"));
  CHECK_FALSE(is_unsafe_method("HEAD"));
  CHECK_FALSE(is_unsafe_method("OPTIONS"));
  for (auto m : {"POST", "PUT", "PATCH", "DELETE", "PROPFIND", "get"}) {
    INFO(m);
    CHECK(is_unsafe_method(m));
  }
}
