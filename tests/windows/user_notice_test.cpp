// The user notice on Windows: WTSSendMessageW to every active session, never waiting for a
// click. Under Wine there is no session to show it in; the test proves it returns at once.
#include "agent/actions/user_notice.hpp"

#include <catch2/catch.hpp>

TEST_CASE("Windows user notice: sent without waiting for anyone, to active sessions only") {
  triage::agent::UserNoticePolicy policy;
  policy.enabled = true;
  const auto started = std::chrono::steady_clock::now();
  const auto sessions = triage::agent::send_user_notice(policy, "triage test: nothing will run");
  const auto took = std::chrono::steady_clock::now() - started;
  // A box that waited for a click would hold the order for its whole display time (300 s).
  CHECK(took < std::chrono::seconds(60));
  WARN("the notice reached " << sessions << " session(s)");
}
