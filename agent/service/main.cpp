// triage-agent: diagnostics for the helpdesk, reported to the collector; executes nothing but
// signed, approved, locally allowed actions.

#include <csignal>
#include <iostream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "agent/collectors/collect_command.hpp"
#include "agent/enroll/enroll.hpp"
#include "agent/service/agent_runtime.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/util/logging.hpp"

namespace ta = triage::agent;

namespace {

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t start = 0;
    while (start <= v.size()) {
      auto end = v.find(',', start);
      if (end == std::string::npos) end = v.size();
      if (end > start) out.push_back(v.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

std::string local_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

int run_agent(const ta::StateDir& state) {
  auto identity = ta::load_identity(state);
  if (!identity) throw std::runtime_error(identity.error().message);
  auto tls = triage::transport::make_client_tls_context(
      {identity->ca_pem, identity->certificate_pem, identity->key_pem});
  if (!tls) throw std::runtime_error("TLS setup: " + tls.error().message);

  boost::asio::io_context ioc(1);
  ta::AgentRunOptions options;
  ta::AgentRuntime runtime(ioc, state, std::move(*identity), *tls, options);
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  boost::asio::steady_timer force_stop(ioc);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signal);
    // A clean WebSocket close when the collector answers quickly; never wait long for it.
    force_stop.expires_after(std::chrono::seconds(3));
    force_stop.async_wait([&](const boost::system::error_code&) { ioc.stop(); });
    runtime.stop([&] { ioc.stop(); });
  });
  runtime.start();
  ioc.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"triage-agent: endpoint diagnostics and approved remediation"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(TRIAGE_VERSION));
  std::string log_format = "human", log_level = "info";
  app.add_option("--log-format", log_format, "human or json")->check(CLI::IsMember({"human", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  std::string state_dir = "/var/lib/triage-agent";

  auto* enroll = app.add_subcommand("enroll", "enroll this endpoint with a collector");
  ta::EnrollOptions enroll_options;
  enroll->add_option("--server", enroll_options.server_url, "wss://HOST:PORT")->required();
  enroll->add_option("--token", enroll_options.token, "enrollment token from an admin")->required();
  enroll->add_option("--ca-sha256", enroll_options.ca_sha256, "collector CA fingerprint")
      ->required();
  enroll->add_option("--state", state_dir, "state directory")->capture_default_str();
  enroll->add_flag("--force", enroll_options.force, "replace an existing enrollment");

  auto* run = app.add_subcommand("run", "run the agent in the foreground");
  run->add_option("--state", state_dir, "state directory")->capture_default_str();

  auto* collect = app.add_subcommand("collect", "print a diagnostics snapshot of this machine");
  ta::CollectCommandOptions collect_options;
  std::vector<std::string> only;
  std::string sysroot = "/";
  collect->add_flag("--json", collect_options.json, "JSON (protobuf JSON mapping)");
  collect->add_option("--only", only, "categories, comma-separated");
  collect->add_option("--sysroot", sysroot, "read /proc, /sys, /etc, /var under DIR");

  CLI11_PARSE(app, argc, argv);

  try {
    auto format = triage::parse_log_format(log_format);
    if (auto r = triage::setup_logging("triage-agent", *format, log_level); !r) {
      throw std::runtime_error(r.error().message);
    }
    if (collect->parsed()) {
      collect_options.only = split_commas(only);
      collect_options.sysroot = sysroot;
      return ta::run_collect_command(collect_options, std::cout, std::cerr);
    }
    if (enroll->parsed()) {
      enroll_options.state = ta::StateDir(state_dir);
      enroll_options.hostname = local_hostname();
      auto device_id = ta::enroll(enroll_options);
      if (!device_id) throw std::runtime_error(device_id.error().message);
      std::cout << "enrolled as device " << *device_id << "\n";
      return 0;
    }
    if (run->parsed()) return run_agent(ta::StateDir(state_dir));
  } catch (const std::exception& e) {
    std::cerr << "triage-agent: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
