// The agent's order runner with a real journal and real execution (/bin/echo): an accepted
// order runs once and reports output and result; the same signed order sent again, also to a
// restarted agent, is refused as a replay; refusals carry their reason and land in history.

#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <utmpx.h>

#include <cstring>
#include <fstream>
#include <map>

#include "agent/actions/order_runner.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;
using namespace std::chrono_literals;

namespace {

/// The test actions, as custom definition files this endpoint's policy pins.
const std::map<std::string, std::string> kDefinitions = {
    {"echo", R"toml(id = "echo"
version = 1
title = "Echo (test)"
argv = ["/bin/echo", "{text}"]
timeout_s = 10
output_cap_bytes = 4096
risk = "low"
[params.text]
type = "regex"
pattern = '^[a-z0-9 -]{1,40}$'
max_length = 40
)toml"},
    {"echo-medium", R"toml(id = "echo-medium"
version = 1
title = "Echo, medium risk (test)"
argv = ["/bin/echo", "{text}"]
timeout_s = 10
output_cap_bytes = 4096
risk = "medium"
[params.text]
type = "regex"
pattern = '^[a-z0-9 -]{1,40}$'
max_length = 40
)toml"},
    {"sleep", R"toml(id = "sleep"
version = 1
title = "Sleep (test)"
argv = ["/bin/sleep", "300"]
timeout_s = 10
output_cap_bytes = 4096
risk = "low"
)toml"},
};

std::string hash_of(const std::string& id) {
  auto it = kDefinitions.find(id);
  return pki::sha256_raw(it != kDefinitions.end() ? it->second : id);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Harness {
  testing::TempDir dir;
  pki::PKeyPtr key = std::move(*pki::generate_ed25519_key());
  std::unique_ptr<ActionJournal> journal;
  std::vector<v1::AgentMessage> sent_now;
  std::vector<v1::AgentMessage> results;

  Harness() { reopen(); }
  void reopen() {
    journal.reset();
    journal = std::move(*ActionJournal::open(dir.path() / "actions.db"));
  }

  OrderRunnerSettings settings(ActionPolicy policy = {}) {
    OrderRunnerSettings s;
    s.pinned_key_pem = *pki::public_key_to_pem(key.get());
    s.device_id = "dev-1";
    s.policy = std::move(policy);
    for (const auto& [id, text] : kDefinitions) {
      s.policy.allow_custom.push_back("sha256:" + pki::to_hex(pki::sha256_raw(text)));
    }
    return s;
  }

  v1::SignedCatalog catalog() {
    v1::CatalogManifest m;
    m.set_issued_at_unix_ms(now_ms());
    for (auto [id, risk] :
         {std::pair{"echo", v1::RISK_LOW}, std::pair{"echo-medium", v1::RISK_MEDIUM},
          std::pair{"sleep", v1::RISK_LOW}}) {
      auto* e = m.add_entries();
      e->set_action_id(id);
      e->set_action_version(1);
      e->set_definition_sha256(hash_of(id));
      e->set_risk(risk);
    }
    return *protocol::sign_catalog(key.get(), "kid", m);
  }

  /// A signed order for one of the test actions, as the collector renders it (echo prints
  /// "ran ID").
  v1::SignedOrder order(const std::string& id, const std::string& action = "echo") {
    v1::OrderPayload p = payload(id, action);
    return *protocol::sign_order(key.get(), "kid", p);
  }

  v1::OrderPayload payload(const std::string& id, const std::string& action = "echo") {
    v1::OrderPayload p;
    p.set_order_id(id);
    p.set_device_id("dev-1");
    p.set_action_id(action);
    p.set_action_version(1);
    p.set_definition_sha256(hash_of(action));
    if (auto it = kDefinitions.find(action); it != kDefinitions.end()) {
      p.set_definition(it->second);
    }
    const v1::Risk risk = action == "echo-medium" ? v1::RISK_MEDIUM : v1::RISK_LOW;
    if (action == "sleep") {
      for (const char* a : {"/bin/sleep", "300"}) p.add_argv(a);
    } else {
      p.add_argv("/bin/echo");
      p.add_argv("ran " + id);
      auto* param = p.add_params();
      param->set_name("text");
      param->set_value("ran " + id);
    }
    p.set_issued_at_unix_ms(now_ms());
    p.set_expires_at_unix_ms(now_ms() + 600'000);
    p.set_nonce(pki::random_bytes(32));
    p.set_risk(risk);
    p.set_timeout_s(10);
    p.set_output_cap_bytes(4096);
    p.set_platform("linux");
    return p;
  }

  /// Runs the I/O loop until `count` results arrived.
  void run_until_results(boost::asio::io_context& ioc, std::size_t count) {
    auto guard = boost::asio::make_work_guard(ioc);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (results.size() < count && std::chrono::steady_clock::now() < deadline) {
      ioc.run_for(20ms);
      ioc.restart();
    }
    REQUIRE(results.size() == count);
  }

  /// Runs the I/O loop until `done` holds (20 s at most).
  template <class Done>
  void run_until(boost::asio::io_context& ioc, Done done) {
    auto guard = boost::asio::make_work_guard(ioc);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      ioc.run_for(20ms);
      ioc.restart();
    }
    REQUIRE(done());
  }

  bool reported_running(const std::string& id) const {
    for (const auto& m : sent_now) {
      if (m.has_order_update() && m.order_update().order_id() == id &&
          m.order_update().state() == v1::RUNNING) {
        return true;
      }
    }
    return false;
  }

  std::string streamed(const std::string& id, v1::OrderOutput::Stream stream) const {
    std::string out;
    for (const auto& m : sent_now) {
      if (m.has_order_output() && m.order_output().order_id() == id &&
          m.order_output().stream() == stream) {
        out += m.order_output().data();
      }
    }
    return out;
  }

  std::unique_ptr<OrderRunner> runner(boost::asio::io_context& ioc, ActionPolicy policy = {}) {
    return std::make_unique<OrderRunner>(
        ioc, *journal, settings(std::move(policy)),
        [this](v1::AgentMessage m) { sent_now.push_back(std::move(m)); },
        [this](v1::AgentMessage m) { results.push_back(std::move(m)); });
  }
};

}  // namespace

TEST_CASE("an order runs once, the same signed order again is refused, also after a restart") {
  Harness h;
  const auto signed_order = h.order("o-1");
  {
    boost::asio::io_context ioc;
    auto runner = h.runner(ioc);
    runner->accept_catalog(h.catalog());
    runner->handle(signed_order);
    h.run_until_results(ioc, 1);
    const auto& result = h.results[0].order_result();
    CHECK(result.order_id() == "o-1");
    CHECK(result.state() == v1::SUCCEEDED);
    CHECK(result.output_excerpt() == "ran o-1\n");
    CHECK(result.history_head_sha256().size() == 32);
    bool running = false;
    std::string streamed;
    for (const auto& m : h.sent_now) {
      running = running || (m.has_order_update() && m.order_update().state() == v1::RUNNING);
      if (m.has_order_output()) streamed += m.order_output().data();
    }
    CHECK(running);
    CHECK(streamed == "ran o-1\n");

    runner->handle(signed_order);
    h.run_until_results(ioc, 2);
    CHECK(h.results[1].order_result().state() == v1::REFUSED);
    CHECK_THAT(h.results[1].order_result().reason(), Catch::Contains("replayed"));
  }
  h.reopen();
  boost::asio::io_context ioc;
  auto runner = h.runner(ioc);
  runner->accept_catalog(h.catalog());
  runner->handle(signed_order);
  h.run_until_results(ioc, 3);
  CHECK(h.results[2].order_result().state() == v1::REFUSED);
  CHECK_THAT(h.results[2].order_result().reason(), Catch::Contains("replayed"));
  auto entries = h.journal->entries();
  REQUIRE(entries);
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].data["outcome"] == "succeeded");
  CHECK((*entries)[1].data["outcome"] == "refused");
  auto chain = h.journal->verify();
  REQUIRE(chain);
  CHECK_FALSE(*chain);
}

TEST_CASE("refusals are reported with their reason and nothing runs") {
  Harness h;
  boost::asio::io_context ioc;
  auto runner = h.runner(ioc);
  // Before any catalog: refused.
  runner->handle(h.order("o-0"));
  h.run_until_results(ioc, 1);
  CHECK_THAT(h.results[0].order_result().reason(), Catch::Contains("catalog"));
  runner->accept_catalog(h.catalog());
  // A catalog signed by another key is ignored (the accepted one stays).
  auto other = std::move(*pki::generate_ed25519_key());
  v1::CatalogManifest empty;
  empty.set_issued_at_unix_ms(now_ms() + 1000);
  runner->accept_catalog(*protocol::sign_catalog(other.get(), "kid", empty));

  runner->handle(h.order("o-medium", "echo-medium"));  // policy: low only
  auto forged = h.order("o-forged");
  forged.set_signature(std::string(64, '\0'));
  runner->handle(forged);
  auto unknown = h.order("o-unknown", "format-disk");
  runner->handle(unknown);
  h.run_until_results(ioc, 4);
  CHECK_THAT(h.results[1].order_result().reason(), Catch::Contains("local policy"));
  CHECK_THAT(h.results[2].order_result().reason(), Catch::Contains("signature"));
  CHECK_THAT(h.results[3].order_result().reason(), Catch::Contains("not in the signed catalog"));
  for (const auto& r : h.results) CHECK(r.order_result().state() == v1::REFUSED);
  for (const auto& m : h.sent_now) CHECK_FALSE(m.has_order_update());
}

TEST_CASE("a forged order that keeps an allowed id but changes argv is refused and audited") {
  Harness h;
  boost::asio::io_context ioc;
  auto runner = h.runner(ioc);
  runner->accept_catalog(h.catalog());
  // Signed with the pinned key, for the pinned echo action, but running another program.
  const auto marker = h.dir.path() / "forged-ran";
  auto p = h.payload("o-forged");
  p.set_argv(0, "/usr/bin/touch");
  p.set_argv(1, marker.string());
  runner->handle(*protocol::sign_order(h.key.get(), "kid", p));
  h.run_until_results(ioc, 1);
  const auto& result = h.results[0].order_result();
  CHECK(result.order_id() == "o-forged");
  CHECK(result.state() == v1::REFUSED);
  CHECK_THAT(result.reason(),
             Catch::Contains("argv of action echo") && Catch::Contains("refused as forged"));
  CHECK_FALSE(std::filesystem::exists(marker));
  // The endpoint's hash-chained history keeps the refusal and the argv that was tried.
  auto entries = h.journal->entries();
  REQUIRE(entries);
  REQUIRE(entries->size() == 1);
  const auto& entry = entries->front().data;
  CHECK(entry["outcome"] == "refused");
  CHECK_THAT(entry["reason"].get<std::string>(), Catch::Contains("refused as forged"));
  CHECK(entry["argv"] == nlohmann::json({"/usr/bin/touch", marker.string()}));
  CHECK(pki::to_hex(result.history_head_sha256()) == entries->front().hash);
}

namespace {

v1::OrderCancel cancel_of(const std::string& id) {
  v1::OrderCancel c;
  c.set_order_id(id);
  c.set_reason("cancelled by tom: wrong machine");
  return c;
}

}  // namespace

TEST_CASE("a cancelled order is dropped if it waits and stopped if it runs, others are untouched") {
  Harness h;
  boost::asio::io_context ioc;
  auto runner = h.runner(ioc);
  runner->accept_catalog(h.catalog());
  runner->handle(h.order("o-long", "sleep"));
  h.run_until(ioc, [&] { return h.reported_running("o-long"); });
  runner->handle(h.order("o-next"));  // waits behind the running one

  runner->cancel(cancel_of("o-next"));
  h.run_until_results(ioc, 1);
  const auto& dropped = h.results[0].order_result();
  CHECK(dropped.order_id() == "o-next");
  CHECK(dropped.state() == v1::CANCELLED);
  CHECK_THAT(dropped.reason(), Catch::StartsWith("cancelled before it started"));
  CHECK_FALSE(h.reported_running("o-next"));

  runner->cancel(cancel_of("o-long"));
  h.run_until_results(ioc, 2);
  const auto& stopped = h.results[1].order_result();
  CHECK(stopped.order_id() == "o-long");
  CHECK(stopped.state() == v1::CANCELLED);
  CHECK(stopped.term_signal() == SIGTERM);

  // Finished orders and orders never seen here are left alone: no report, and the stale
  // cancel does not hit the next order.
  runner->cancel(cancel_of("o-long"));
  runner->cancel(cancel_of("o-unknown"));
  runner->handle(h.order("o-after"));
  h.run_until_results(ioc, 3);
  CHECK(h.results[2].order_result().order_id() == "o-after");
  CHECK(h.results[2].order_result().state() == v1::SUCCEEDED);

  auto entries = h.journal->entries();
  REQUIRE(entries);
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].data["outcome"] == "cancelled");
  CHECK((*entries)[1].data["outcome"] == "cancelled");
  CHECK((*entries)[2].data["outcome"] == "succeeded");
}

namespace {

/// A pseudo-terminal standing in for a logged-in user's session, listed in a utmp file.
struct UserSession {
  int master = -1;
  int slave = -1;
  std::string line;  // "pts/N"

  UserSession() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    line = std::string(::ptsname(master)).substr(5);
    // Held open like a login shell would, so the agent's close is no hangup.
    slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
  }
  ~UserSession() {
    ::close(slave);
    ::close(master);
  }

  /// What was written to the terminal, once `expected` appears (10 s at most).
  std::string read_until(const std::string& expected) const {
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (seen.find(expected) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd fd{master, POLLIN, 0};
      if (::poll(&fd, 1, 100) <= 0) continue;
      char buf[512];
      const auto n = ::read(master, buf, sizeof buf);
      if (n > 0) seen.append(buf, static_cast<std::size_t>(n));
    }
    return seen;
  }
};

void write_utmp(const std::filesystem::path& path,
                const std::vector<std::pair<short, std::string>>& entries) {
  std::ofstream out(path, std::ios::binary);
  for (const auto& [type, line] : entries) {
    utmpx u{};
    u.ut_type = type;
    u.ut_pid = ::getpid();
    std::strncpy(u.ut_line, line.c_str(), sizeof u.ut_line - 1);
    std::strncpy(u.ut_user, "alice", sizeof u.ut_user - 1);
    out.write(reinterpret_cast<const char*>(&u), sizeof u);
  }
}

}  // namespace

TEST_CASE("with the notice policy, logged-in users are told before a medium-risk action") {
  Harness h;
  UserSession session;
  const auto utmp = h.dir.path() / "utmp";
  // A session, a logged-out one and a forged line: only the first is written to.
  write_utmp(
      utmp,
      {{USER_PROCESS, session.line}, {DEAD_PROCESS, "pts/999"}, {USER_PROCESS, "../etc/passwd"}});
  ActionPolicy policy;
  policy.max_risk = ActionRisk::kMedium;
  policy.notice.enabled = true;
  policy.notice.utmp_path = utmp.string();
  boost::asio::io_context ioc;

  SECTION("the action runs after the delay") {
    policy.notice.delay = std::chrono::seconds(1);
    auto runner = h.runner(ioc, policy);
    runner->accept_catalog(h.catalog());
    runner->handle(h.order("o-low"));  // low risk: no notice, runs at once
    h.run_until_results(ioc, 1);
    CHECK(h.streamed("o-low", v1::OrderOutput::STDERR).empty());
    runner->handle(h.order("o-med", "echo-medium"));
    const auto text = session.read_until("save your work");
    CHECK_THAT(text, Catch::Contains("echo-medium"));
    CHECK_THAT(text, Catch::Contains("in 1 s"));
    h.run_until_results(ioc, 2);
    CHECK(h.results[1].order_result().state() == v1::SUCCEEDED);
    CHECK(h.streamed("o-med", v1::OrderOutput::STDERR) ==
          "triage-agent: notice sent to 1 terminal session(s); waiting 1 s before running\n");
    CHECK(h.streamed("o-med", v1::OrderOutput::STDOUT) == "ran o-med\n");
  }
  SECTION("a cancel during the wait means it never starts") {
    policy.notice.delay = std::chrono::seconds(3600);
    auto runner = h.runner(ioc, policy);
    runner->accept_catalog(h.catalog());
    runner->handle(h.order("o-med", "echo-medium"));
    h.run_until(ioc, [&] { return !h.streamed("o-med", v1::OrderOutput::STDERR).empty(); });
    CHECK(h.reported_running("o-med"));
    runner->cancel(cancel_of("o-med"));
    h.run_until_results(ioc, 1);
    CHECK(h.results[0].order_result().state() == v1::CANCELLED);
    CHECK_THAT(h.results[0].order_result().reason(), Catch::Contains("notice"));
    CHECK(h.streamed("o-med", v1::OrderOutput::STDOUT).empty());
  }
}
