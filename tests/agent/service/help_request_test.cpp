// Help requests as the daemon receives them from any local user.

#include <catch2/catch.hpp>

#include "agent/service/help_rate_limiter.hpp"
#include "agent/service/help_request.hpp"

using namespace triage;
using namespace triage::agent;

TEST_CASE("a help submission is validated and its identity comes from the kernel") {
  auto ok = parse_help_submission({{"type", "help"},
                                   {"text", "printer does not print"},
                                   {"request_id", "abcdef12"},
                                   {"uid", 0}},
                                  1000, "alice");
  REQUIRE(ok);
  CHECK(ok->text == "printer does not print");
  CHECK(ok->uid == 1000);  // not what the peer claimed
  CHECK(ok->user == "alice");
  CHECK(ok->request_id == "abcdef12");

  CHECK_FALSE(parse_help_submission({{"type", "run"}, {"text", "x"}}, 1, "u"));
  CHECK_FALSE(parse_help_submission({{"type", "help"}}, 1, "u"));
  CHECK_FALSE(parse_help_submission({{"type", "help"}, {"text", 42}}, 1, "u"));
  CHECK_FALSE(parse_help_submission({{"type", "help"}, {"text", "   "}}, 1, "u"));
  CHECK_FALSE(parse_help_submission({{"type", "help"}, {"text", std::string(5000, 'x')}}, 1, "u"));
  CHECK_FALSE(
      parse_help_submission({{"type", "help"}, {"text", "x"}, {"request_id", "../../x"}}, 1, "u"));
  auto fresh = parse_help_submission({{"type", "help"}, {"text", "x"}}, 1, "u");
  REQUIRE(fresh);
  CHECK(fresh->request_id.size() == 32);
}

TEST_CASE("hostile text becomes printable UTF-8") {
  auto help =
      parse_help_submission({{"type", "help"}, {"text", "bad\x1b[2J \xff\xfe bytes"}}, 1, "u");
  REQUIRE(help);
  auto report = help_report(*help, {});
  std::string wire;
  CHECK(report.SerializeToString(&wire));
  CHECK(help->text.find('\x1b') == std::string::npos);
}

TEST_CASE("progress round-trips over IPC and reads honestly") {
  HelpProgress ticket{HelpState::kTicket, 7, "T-1001", ""};
  auto back = progress_from_json(progress_to_json(ticket));
  CHECK(back.state == HelpState::kTicket);
  CHECK(back.seq == 7);
  CHECK(back.ticket_id == "T-1001");
  CHECK(back.final());
  CHECK_THAT(describe_progress(back), Catch::Contains("T-1001"));
  CHECK_THAT(describe_progress({HelpState::kQueued, 1, "", ""}), Catch::Contains("queued"));
  CHECK_THAT(describe_progress({HelpState::kSent, 1, "", ""}),
             Catch::Contains("waiting for a ticket number"));
  CHECK_FALSE(HelpProgress{HelpState::kSent, 1, "", ""}.final());
  CHECK(progress_from_json({{"state", "nonsense"}}).state == HelpState::kError);
}

// Found by fuzzing (tests/fuzz/ipc_frame_fuzz.cpp): `"type": 8` made nlohmann's value() throw
// out of the IPC handler and ended the daemon, for any local user allowed on the socket.
TEST_CASE("IPC messages whose fields have the wrong JSON types are refused, never thrown on") {
  for (const auto& request : {nlohmann::json{{"type", 8}, {"text", "x"}},
                              nlohmann::json{{"type", nullptr}, {"text", "x"}},
                              nlohmann::json{{"type", {{"help", true}}}, {"text", "x"}},
                              nlohmann::json{{"type", "help"}, {"text", "x"}, {"request_id", 7}}}) {
    INFO(request.dump());
    Result<HelpSubmission> help = fail("not parsed");
    CHECK_NOTHROW(help = parse_help_submission(request, 1000, "alice"));
    CHECK_FALSE(help);
  }
  for (const auto& reply : {nlohmann::json{{"state", 3}}, nlohmann::json{{"state", {1, 2}}},
                            nlohmann::json{{"state", "ticket"}, {"ticket_id", 5}, {"seq", -1}}}) {
    INFO(reply.dump());
    HelpProgress progress;
    CHECK_NOTHROW(progress = progress_from_json(reply));
  }
  CHECK(progress_from_json({{"state", 3}}).state == HelpState::kError);
}

TEST_CASE("one account cannot flood the spool with help requests") {
  HelpRateLimiter limiter(3);
  auto t0 = HelpRateLimiter::Clock::now();
  CHECK(limiter.allow(1000, t0));
  CHECK(limiter.allow(1000, t0));
  CHECK(limiter.allow(1000, t0));
  CHECK_FALSE(limiter.allow(1000, t0));
  CHECK(limiter.allow(1001, t0));                             // others are not affected
  CHECK(limiter.allow(1000, t0 + std::chrono::minutes(21)));  // one back after 20 min
  CHECK_FALSE(limiter.allow(1000, t0 + std::chrono::minutes(22)));
}
