// Remediation actions after they were sent, end to end with a real collector and a real agent
// over mTLS: cancelling a waiting or running order, post-checks ("ran" and "fixed" as separate
// facts), and the end-user notice policy with a pseudo-terminal standing in for a session.
// Harmless test actions only (/bin/sleep, /bin/echo, /bin/true, /bin/false).

#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <utmpx.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "tests/support/action_pins.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

// The sleep's argument marks its process, so the test can see that it is gone.
const char* kSleep = R"toml(
id = "sleep-long"
version = 1
title = "Sleep (test)"
argv = ["/bin/sleep", "297.5"]
timeout_s = 900
risk = "low"
)toml";

const char* kEcho = R"toml(
id = "echo-low"
version = 1
title = "Echo (test)"
argv = ["/bin/echo", "ran"]
risk = "low"
)toml";

const char* kFixes = R"toml(
id = "fix-works"
version = 1
title = "A fix whose check passes (test)"
argv = ["/bin/echo", "fixing"]
risk = "low"
[post_check]
argv = ["/bin/true"]
expect_exit_code = 0
timeout_s = 5
)toml";

const char* kDoesNotFix = R"toml(
id = "fix-fails"
version = 1
title = "A fix whose check fails (test)"
argv = ["/bin/echo", "fixing"]
risk = "low"
[post_check]
argv = ["/bin/false"]
expect_exit_code = 0
timeout_s = 5
)toml";

const char* kMedium = R"toml(
id = "echo-medium"
version = 1
title = "Echo, medium risk (test)"
argv = ["/bin/echo", "medium ran"]
risk = "medium"
)toml";

struct ActionsDir {
  TempDir dir;
  ActionsDir() {
    std::ofstream(dir.path() / "sleep-long.toml") << kSleep;
    std::ofstream(dir.path() / "echo-low.toml") << kEcho;
    std::ofstream(dir.path() / "fix-works.toml") << kFixes;
    std::ofstream(dir.path() / "fix-fails.toml") << kDoesNotFix;
    std::ofstream(dir.path() / "echo-medium.toml") << kMedium;
  }
  std::string config() const { return "[actions]\ndir = \"" + dir.path().string() + "\"\n"; }
};

/// An enrolled, running agent with `policy`; it pins the test actions' definitions unless
/// `policy` sets allow_custom itself.
std::unique_ptr<AgentFixture> running_agent(CollectorFixture& c, const std::string& name,
                                            const std::string& policy) {
  auto agent = std::make_unique<AgentFixture>(c, name);
  REQUIRE(agent->enroll().exit_code == 0);
  const auto config = c.root() / ("policy-" + name + ".toml");
  std::ofstream(config) << "[probes]\nenabled = false\n[policy]\n"
                        << policy << "\n"
                        << (policy.find("allow_custom") == std::string::npos
                                ? allow_custom_line({kSleep, kEcho, kFixes, kDoesNotFix, kMedium})
                                : "");
  agent->start({"--config", config.string()});
  const auto device = agent->device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));
  return agent;
}

std::int64_t ticket_for(CollectorFixture& c, const std::string& device, const std::string& token) {
  auto r = c.post("/api/v1/tickets", {{"title", "Broken"}, {"device_id", device}}, token);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

std::string order_on(CollectorFixture& c, std::int64_t ticket, const std::string& action,
                     const std::string& token) {
  auto r =
      c.post("/api/v1/tickets/" + std::to_string(ticket) + "/actions", {{"action", action}}, token);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::string>();
}

nlohmann::json wait_state(CollectorFixture& c, const std::string& id, const std::string& token,
                          const std::vector<std::string>& states) {
  nlohmann::json order;
  const bool reached = eventually(
      [&] {
        order = c.get("/api/v1/orders/" + id, token).body;
        const auto state = order.value("state", "");
        return std::find(states.begin(), states.end(), state) != states.end();
      },
      30s);
  INFO(order.dump(2));
  REQUIRE(reached);
  return order;
}

nlohmann::json wait_final(CollectorFixture& c, const std::string& id, const std::string& token) {
  return wait_state(c, id, token, {"succeeded", "failed", "refused", "expired", "cancelled"});
}

const nlohmann::json* find_event(const nlohmann::json& ticket, const std::string& kind,
                                 const std::string& order_id) {
  for (const auto& e : ticket["timeline"]) {
    if (e["kind"] == kind && e["data"].value("order_id", "") == order_id) return &e;
  }
  return nullptr;
}

/// True while a process runs whose command line is exactly `argv`.
bool process_running(const std::vector<std::string>& argv) {
  std::string wanted;
  for (const auto& a : argv) wanted += a + '\0';
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    if (cmdline != wanted) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string state;
    std::getline(stat, state);
    if (state.find(") Z") == std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("staff cancel a waiting and a running order, a finished order stays finished",
          "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto tech = c.login_as("tom", "technician");
  const auto viewer = c.login_as("lena", "viewer");
  auto agent = running_agent(c, "pc", "max_risk = \"low\"");
  const auto ticket = ticket_for(c, agent->device_id(), tech);

  // A finished order stays as it ended.
  const auto done = order_on(c, ticket, "echo-low", tech);
  CHECK(wait_final(c, done, tech)["state"] == "succeeded");
  auto late = c.post("/api/v1/orders/" + done + "/cancel", {{"reason", "too late"}}, tech);
  CHECK(late.status == 409);
  CHECK(c.get("/api/v1/orders/" + done, tech).body["state"] == "succeeded");

  const auto running = order_on(c, ticket, "sleep-long", tech);
  wait_state(c, running, tech, {"running"});
  REQUIRE(eventually([] { return process_running({"/bin/sleep", "297.5"}); }, 10s));
  // Sent to the agent, waiting behind the running one.
  const auto waiting = order_on(c, ticket, "echo-low", tech);
  wait_state(c, waiting, tech, {"sent"});

  CHECK(c.post("/api/v1/orders/" + running + "/cancel", nlohmann::json::object(), viewer).status ==
        403);
  auto dropped = c.post("/api/v1/orders/" + waiting + "/cancel", {{"reason", "not needed"}}, tech);
  INFO(dropped.text);
  REQUIRE(dropped.status == 202);
  CHECK(dropped.body["cancel_requested_by"] == "tom");
  auto dropped_final = wait_final(c, waiting, tech);
  CHECK(dropped_final["state"] == "cancelled");
  CHECK_THAT(dropped_final["reason"].get<std::string>(),
             Catch::StartsWith("cancelled by tom: not needed"));
  CHECK(dropped_final["result"]["ran"] == "not started");
  CHECK(dropped_final["output"]["stdout"] == "");
  CHECK(process_running({"/bin/sleep", "297.5"}));  // the other order is untouched

  auto stop = c.post("/api/v1/orders/" + running + "/cancel", {{"reason", "wrong machine"}}, tech);
  REQUIRE(stop.status == 202);
  CHECK(stop.body["state"] == "running");
  auto stopped = wait_final(c, running, tech);
  CHECK(stopped["state"] == "cancelled");
  CHECK_THAT(stopped["reason"].get<std::string>(),
             Catch::StartsWith("cancelled by tom: wrong machine"));
  CHECK(stopped["result"]["ran"] == "cancelled");
  CHECK(stopped["result"]["term_signal"] == 15);
  CHECK(eventually([] { return !process_running({"/bin/sleep", "297.5"}); }, 10s));

  const auto detail = c.get("/api/v1/tickets/" + std::to_string(ticket), tech).body;
  REQUIRE(find_event(detail, "action_cancel_requested", running) != nullptr);
  const auto* cancelled = find_event(detail, "action_cancelled", running);
  REQUIRE(cancelled != nullptr);
  CHECK((*cancelled)["data"]["cancelled_by"] == "tom");
  CHECK((*cancelled)["visibility"] == "internal");
  CHECK(find_event(detail, "action_cancelled", waiting) != nullptr);

  // The device's owner sees the cancellations in the agent's history.
  auto history = run_command(
      {binary("triage-agent"), "history", "--state", agent->state_dir().string()}, c.root());
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.out, Catch::Contains("cancelled"));
  CHECK_THAT(history.out, Catch::Contains("intact (3 entries)"));
}

TEST_CASE("a post-check makes 'ran' and 'fixed' separate facts on the order and the ticket",
          "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto tech = c.login_as("tom", "technician");
  auto agent = running_agent(c, "pc", "max_risk = \"low\"");
  const auto ticket = ticket_for(c, agent->device_id(), tech);
  const auto detail = [&] { return c.get("/api/v1/tickets/" + std::to_string(ticket), tech).body; };

  const auto works = order_on(c, ticket, "fix-works", tech);
  auto fixed = wait_final(c, works, tech);
  CHECK(fixed["state"] == "succeeded");
  CHECK(fixed["result"]["ran"] == "exit 0");
  CHECK(fixed["result"]["fixed"] == "passed");
  CHECK(fixed["result"]["post_check"]["passed"] == true);

  const auto fails = order_on(c, ticket, "fix-fails", tech);
  auto not_fixed = wait_final(c, fails, tech);
  CHECK(not_fixed["state"] == "succeeded");  // it ran...
  CHECK(not_fixed["result"]["ran"] == "exit 0");
  CHECK(not_fixed["result"]["fixed"] == "failed");  // ...and did not fix it
  CHECK(not_fixed["result"]["post_check"]["exit_code"] == 1);

  const auto none = order_on(c, ticket, "echo-low", tech);
  CHECK(wait_final(c, none, tech)["result"]["fixed"] == "not run");

  const auto timeline = detail();
  const auto* run = find_event(timeline, "action_run", fails);
  REQUIRE(run != nullptr);
  CHECK((*run)["data"]["ran"] == "exit 0");
  CHECK((*run)["data"]["fixed"] == "failed");
  run = find_event(timeline, "action_run", works);
  REQUIRE(run != nullptr);
  CHECK((*run)["data"]["fixed"] == "passed");
}

namespace {

struct UserSession {
  int master = -1;
  int slave = -1;
  std::string line;
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
  std::string drain() const {
    std::string seen;
    char buf[512];
    for (;;) {
      const auto n = ::read(master, buf, sizeof buf);
      if (n <= 0) return seen;
      seen.append(buf, static_cast<std::size_t>(n));
    }
  }
};

}  // namespace

TEST_CASE("with the notice policy the user is told, the order shows the wait, then it runs",
          "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto tech = c.login_as("tom", "technician");
  UserSession session;
  const auto utmp = c.root() / "utmp";
  {
    std::ofstream out(utmp, std::ios::binary);
    utmpx u{};
    u.ut_type = USER_PROCESS;
    u.ut_pid = ::getpid();
    std::strncpy(u.ut_line, session.line.c_str(), sizeof u.ut_line - 1);
    std::strncpy(u.ut_user, "alice", sizeof u.ut_user - 1);
    out.write(reinterpret_cast<const char*>(&u), sizeof u);
  }
  auto agent = running_agent(c, "pc",
                             "max_risk = \"medium\"\nnotice_users = true\nnotice_delay_s = 2\n"
                             "notice_utmp = \"" +
                                 utmp.string() + "\"");
  const auto ticket = ticket_for(c, agent->device_id(), tech);

  const auto low = order_on(c, ticket, "echo-low", tech);
  CHECK(wait_final(c, low, tech)["output"]["stderr"] == "");  // low risk: no notice

  const auto medium = order_on(c, ticket, "echo-medium", tech);
  std::string told;
  nlohmann::json order;
  // While it waits, the order is running and says so.
  REQUIRE(eventually(
      [&] {
        order = c.get("/api/v1/orders/" + medium, tech).body;
        return order["output"]["stderr"].get<std::string>().find("notice sent") !=
               std::string::npos;
      },
      30s));
  CHECK_THAT(order["output"]["stderr"].get<std::string>(),
             Catch::Contains("notice sent to 1 terminal session(s); waiting 2 s"));
  auto final_order = wait_final(c, medium, tech);
  CHECK(final_order["state"] == "succeeded");
  CHECK(final_order["output"]["stdout"] == "medium ran\n");
  told = session.drain();
  CHECK_THAT(told, Catch::Contains("echo-medium, ordered by tom"));
  CHECK_THAT(told, Catch::Contains("save your work"));
}

namespace {

std::map<std::string, std::string> unpack(const std::string& bytes) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  REQUIRE(archive_read_open_memory(a.get(), bytes.data(), bytes.size()) == ARCHIVE_OK);
  std::map<std::string, std::string> files;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a.get(), &entry) == ARCHIVE_OK) {
    std::string content;
    char buf[65536];
    for (;;) {
      const auto n = archive_read_data(a.get(), buf, sizeof buf);
      REQUIRE(n >= 0);
      if (n == 0) break;
      content.append(buf, static_cast<std::size_t>(n));
    }
    files[archive_entry_pathname(entry)] = std::move(content);
  }
  return files;
}

}  // namespace

TEST_CASE("a log bundle arrives on the ticket as an attachment, byte for byte",
          "[integration][actions]") {
  // The built-in runs /usr/bin/triage-agent on the machine's own logs; this test action runs
  // the built binary on a fixture log directory instead.
  TempDir sysroot;
  std::filesystem::create_directories(sysroot.path() / "var/log");
  std::ofstream(sysroot.path() / "var/log/kern.log") << "kernel: ata1: link is slow\n";
  // Binary, incompressible content: every byte value crosses the wire.
  std::string noise(600 * 1024, '\0');
  std::mt19937 rng(7);
  for (auto& ch : noise) ch = static_cast<char>(rng() & 0xff);
  std::ofstream(sysroot.path() / "var/log/syslog", std::ios::binary) << noise;

  ActionsDir actions;
  std::ostringstream bundle;
  bundle
      << "id = \"bundle-test\"\nversion = 1\ntitle = \"Log bundle (test)\"\n"
      << "argv = [\"" << binary("triage-agent") << "\", \"log-bundle\", \"--hours\", \"{hours}\", "
      << "\"--sysroot\", \"" << sysroot.path().string() << "\"]\n"
      << "timeout_s = 120\noutput_cap_bytes = 4194304\nrisk = \"low\"\n"
      << "[params.hours]\ntype = \"integer\"\nmin = 1\nmax = 168\n"
      << "[stdout_attachment]\nname = \"log-bundle.tar.gz\"\ncontent_type = \"application/gzip\"\n";
  std::ofstream(actions.dir.path() / "bundle-test.toml") << bundle.str();
  CollectorFixture c(actions.config());
  const auto tech = c.login_as("tom", "technician");
  auto agent = running_agent(c, "pc", "max_risk = \"low\"\n" + allow_custom_line({bundle.str()}));
  const auto ticket = ticket_for(c, agent->device_id(), tech);
  const auto tpath = "/api/v1/tickets/" + std::to_string(ticket);

  // The built-in is in the catalog, and waits for the owner's consent (medium risk).
  bool builtin = false;
  const auto catalog = c.get("/api/v1/actions", tech).body;
  for (const auto& a : catalog["items"]) {
    if (a["id"] == "collect-log-bundle") builtin = a["risk"] == "medium";
  }
  CHECK(builtin);

  auto created =
      c.post(tpath + "/actions", {{"action", "bundle-test"}, {"params", {{"hours", 2}}}}, tech);
  INFO(created.text);
  REQUIRE(created.status == 201);
  const auto id = created.body["id"].get<std::string>();
  auto order = wait_final(c, id, tech);
  INFO(order.dump(2));
  REQUIRE(order["state"] == "succeeded");
  // The order points to the file; it does not carry it as text.
  CHECK(order["output"]["stdout"] == "");
  CHECK(order["output"]["stdout_is_file"] == true);
  const auto& file = order["result"]["attachment"];
  REQUIRE(file.is_object());
  CHECK(file["name"] == "log-bundle.tar.gz");
  CHECK(order["output"]["stdout_bytes"] == file["size"]);
  const auto aid = file["id"].get<std::int64_t>();

  auto download = c.get(tpath + "/attachments/" + std::to_string(aid), tech);
  REQUIRE(download.status == 200);
  CHECK(download.text.size() == file["size"].get<std::size_t>());
  auto files = unpack(download.text);
  CHECK(files["triage-logs/var/log/kern.log"] == "kernel: ata1: link is slow\n");
  CHECK(files["triage-logs/var/log/syslog"] == noise);
  CHECK(files.count("triage-logs/manifest.json") == 1);

  const auto detail = c.get(tpath, tech).body;
  const auto* run = find_event(detail, "action_run", id);
  REQUIRE(run != nullptr);
  CHECK((*run)["data"]["attachment_id"] == aid);
  CHECK((*run)["data"]["output_excerpt"].get<std::string>().find("log-bundle:") !=
        std::string::npos);
  bool listed = false;
  for (const auto& a : detail["attachments"]) listed = listed || a["id"] == aid;
  CHECK(listed);
}
