// `triage-agent history`: the endpoint owner's readable view, and tampering is reported.

#include <catch2/catch.hpp>

#include <sstream>

#include "agent/actions/action_journal.hpp"
#include "agent/actions/history_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;

TEST_CASE("history shows orders run and refused, as a table and as JSON") {
  testing::TempDir dir;
  StateDir state(dir.path());
  {
    std::ostringstream out, err;
    CHECK(run_history(state, false, out, err) == 0);
    CHECK_THAT(out.str(), Catch::Contains("No orders"));
  }
  {
    auto journal = ActionJournal::open(state.actions_journal());
    REQUIRE(journal);
    REQUIRE(
        (*journal)->append(1'800'000'000'000, {{"order_id", "o1"},
                                               {"action_id", "flush-dns"},
                                               {"outcome", "succeeded"},
                                               {"requested_by", "tom"},
                                               {"argv", {"/usr/bin/resolvectl", "flush-caches"}}}));
    REQUIRE((*journal)->append(1'800'000'001'000, {{"order_id", "o2"},
                                                   {"action_id", "reboot"},
                                                   {"outcome", "refused"},
                                                   {"reason", "local policy does not allow"}}));
  }
  std::ostringstream out, err;
  CHECK(run_history(state, false, out, err) == 0);
  CHECK_THAT(out.str(), Catch::Contains("flush-dns"));
  CHECK_THAT(out.str(), Catch::Contains("/usr/bin/resolvectl flush-caches"));
  CHECK_THAT(out.str(), Catch::Contains("refused"));
  CHECK_THAT(out.str(), Catch::Contains("local policy does not allow"));
  CHECK_THAT(out.str(), Catch::Contains("intact (2 entries)"));

  std::ostringstream json_out;
  CHECK(run_history(state, true, json_out, err) == 0);
  auto doc = nlohmann::json::parse(json_out.str());
  CHECK(doc["chain"] == "intact");
  REQUIRE(doc["entries"].size() == 2);
  CHECK(doc["entries"][1]["entry"]["outcome"] == "refused");
  CHECK(doc["entries"][1]["prev_hash"] == doc["entries"][0]["hash"]);

  {
    auto db = sqlite::Database::open(state.actions_journal());
    REQUIRE(db);
    REQUIRE((*db)->exec("UPDATE history SET data = replace(data, 'refused', 'succeeded')"));
  }
  std::ostringstream tampered, tampered_err;
  CHECK(run_history(state, false, tampered, tampered_err) == 1);
  CHECK_THAT(tampered.str(), Catch::Contains("BROKEN at entry 2"));
}
