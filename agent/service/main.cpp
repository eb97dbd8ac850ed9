// triage-agent: diagnostics for the helpdesk, reported to the collector; executes nothing but
// signed, approved, locally allowed actions.

#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/ip/host_name.hpp>

#include "agent/actions/history_command.hpp"
#include "agent/actions/kill_process_command.hpp"
#include "agent/actions/log_bundle_command.hpp"
#include "agent/actions/windows_action_commands.hpp"
#include "agent/collectors/collect_command.hpp"
#include "agent/enroll/enroll.hpp"
#include "agent/enroll/enroll_token.hpp"
#include "agent/service/agent_config.hpp"
#include "agent/service/agent_daemon.hpp"
#include "agent/service/get_help_command.hpp"
#include "agent/service/service_command.hpp"
#include "agent/service/snapshot_process.hpp"
#include "agent/service/token_file_enrollment.hpp"
#include "agent/state/system_paths.hpp"
#include "shared/util/fs_root.hpp"
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
  boost::system::error_code ec;
  auto name = boost::asio::ip::host_name(ec);
  return ec ? std::string() : name;
}

ta::AgentConfig load_config(const std::string& path) {
  std::string chosen = path;
  std::error_code ec;
  // Packages install it; used when --config is not given.
  const auto& packaged = ta::system_paths().config_file;
  if (chosen.empty() && std::filesystem::exists(packaged, ec)) chosen = packaged.string();
  if (chosen.empty()) return {};
  auto config = ta::load_agent_config(chosen);
  if (!config) throw std::runtime_error(config.error().message);
  return *config;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"triage-agent: endpoint diagnostics and approved remediation"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(TRIAGE_VERSION));
  std::string log_format = "human", log_level = "info";
  app.add_option("--log-format", log_format, "human or json")
      ->check(CLI::IsMember({"human", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  std::string state_dir = ta::system_paths().state_dir.string();

  auto* enroll = app.add_subcommand("enroll", "enroll this endpoint with a collector");
  ta::EnrollOptions enroll_options;
  enroll->add_option("--server", enroll_options.server_url, "wss://HOST:PORT")->required();
  std::string token_value, token_file;
  bool token_stdin = false;
  auto* token_opt = enroll->add_option(
      "--token", token_value,
      "enrollment token from an admin (\"-\": read it from stdin; on the command line every "
      "local user can see it while enrollment runs)");
  auto* token_file_opt =
      enroll->add_option("--token-file", token_file, "read the enrollment token from this file");
  auto* token_stdin_opt = enroll->add_flag("--token-stdin", token_stdin,
                                           "read the enrollment token from standard input");
  token_opt->excludes(token_file_opt)->excludes(token_stdin_opt);
  token_file_opt->excludes(token_stdin_opt);
  enroll->add_option("--ca-sha256", enroll_options.ca_sha256, "collector CA fingerprint")
      ->required();
  enroll->add_option("--state", state_dir, "state directory")->capture_default_str();
  enroll->add_flag("--force", enroll_options.force, "replace an existing enrollment");

  std::string config_path;
  auto* run = app.add_subcommand("run", "run the agent in the foreground");
  run->add_option("--state", state_dir, "state directory")->capture_default_str();
  run->add_option(
      "--config", config_path,
      "TOML config (default " + ta::system_paths().config_file.string() + " when it exists)");
  std::uint32_t report_interval_s = 0;
  run->add_option("--report-interval", report_interval_s,
                  "seconds between scheduled reports (overrides the config)")
      ->check(CLI::Range(2u, 86400u));
  std::string enroll_token_file = ta::default_token_file().string();
  run->add_option("--enroll-token-file", enroll_token_file,
                  "when not enrolled yet: enroll with the token in this file, with the config's "
                  "[collector] url and ca_sha256, then delete the file")
      ->capture_default_str();
  std::string run_sysroot = "/";
  run->add_option("--sysroot", run_sysroot,
                  "read /proc, /sys, /etc, /var under DIR (a fixture machine; for testing)");

  auto* get_help = app.add_subcommand("get-help", "ask the helpdesk for help from this machine");
  ta::GetHelpOptions help_options;
  std::uint32_t wait_s = 15;
  std::string socket_path;
  get_help->add_option("--state", state_dir, "state directory")->capture_default_str();
  get_help->add_option("--config", config_path, "TOML config (for the socket path)");
  get_help->add_option("--socket", socket_path, "the agent's local socket");
  get_help->add_option("--wait", wait_s, "seconds to wait for a ticket number")
      ->capture_default_str()
      ->check(CLI::Range(0u, 600u));
  get_help->add_option("text", help_options.text, "what is wrong")->required();

  auto* collect = app.add_subcommand("collect", "print a diagnostics snapshot of this machine");
  ta::CollectCommandOptions collect_options;
  std::vector<std::string> only;
  std::string sysroot = "/";
  collect->add_flag("--json", collect_options.json, "JSON (protobuf JSON mapping)");
  collect->add_option("--only", only, "categories, comma-separated");
  collect->add_option("--sysroot", sysroot, "read /proc, /sys, /etc, /var under DIR");

  // Internal: the daemon takes each snapshot by running this binary in this mode.
  auto* helper = app.add_subcommand(std::string(ta::kSnapshotHelperCommand), "");
  helper->group("");
  helper->prefix_command();
  auto* history = app.add_subcommand("history", "orders this endpoint ran or refused");
  bool history_json = false;
  history->add_option("--state", state_dir, "state directory")->capture_default_str();
  history->add_flag("--json", history_json, "JSON, with each entry's hash chain");

  auto* kill_process = app.add_subcommand(
      "kill-process", "end a process if it still has the expected name (the kill-process action)");
  long kill_pid = 0;
  std::string kill_name;
  kill_process->add_option("--pid", kill_pid, "process id")->required();
  kill_process
      ->add_option("--name", kill_name, "expected name (Linux: /proc/PID/comm; Windows: image.exe)")
      ->required();

  // The Windows actions' own work, through the Win32 API
  // (agent/actions/windows_action_commands.hpp).
  std::string service_name;
  auto* restart_service = app.add_subcommand(
      "restart-service", "restart a Windows service (the restart-windows-service action)");
  restart_service->add_option("--name", service_name, "the service's key name")->required();
  auto* service_running = app.add_subcommand(
      "service-running", "exit 0 when a Windows service runs (restart-windows-service's check)");
  service_running->add_option("--name", service_name, "the service's key name")->required();
  auto* clear_print_queue = app.add_subcommand(
      "clear-print-queue",
      "stop the spooler, delete the queued jobs, start it (the clear-windows-print-queue action)");
  auto* print_queue_empty = app.add_subcommand(
      "print-queue-empty", "exit 0 when the spooler runs with no job queued (Windows)");
  auto* flush_dns =
      app.add_subcommand("flush-dns", "empty the DNS client cache (the flush-dns-windows action)");
  auto* renew_dhcp = app.add_subcommand(
      "renew-dhcp", "renew the DHCP lease of every DHCP adapter (the renew-dhcp-windows action)");
  std::string explorer_user;
  auto* restart_explorer = app.add_subcommand(
      "restart-explorer",
      "end and start again a signed-in user's Explorer (the restart-explorer-windows action)");
  restart_explorer->add_option("--user", explorer_user, "the account: user or DOMAIN\\user")
      ->required();
  auto* explorer_running = app.add_subcommand(
      "explorer-running", "exit 0 when Explorer runs in the user's session (Windows)");
  explorer_running->add_option("--user", explorer_user, "the account: user or DOMAIN\\user")
      ->required();
  auto* reboot = app.add_subcommand(
      "reboot", "restart Windows after a delay, with a notice (the reboot-windows action)");
  unsigned reboot_minutes = 0;
  reboot->add_option("--delay-minutes", reboot_minutes, "minutes before the restart")
      ->required()
      ->check(CLI::Range(1u, 60u));

  auto* log_bundle = app.add_subcommand(
      "log-bundle", "write a tar.gz of recent logs to stdout (the collect-log-bundle action)");
  ta::LogBundleOptions bundle_options;
  log_bundle->add_option("--hours", bundle_options.hours, "journal of the last N hours")
      ->capture_default_str()
      ->check(CLI::Range(1u, 168u));
  log_bundle->add_option("--max-bytes", bundle_options.max_bytes, "largest archive")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{4096}, ta::kLogBundleMaxBytes));
  log_bundle->add_option("--state", bundle_options.state_dir, "state directory (status)");
  log_bundle->add_option("--sysroot", bundle_options.sysroot,
                         "read /var/log under DIR; no commands are run then");

  auto* service = app.add_subcommand(
      "service", "register this program as the system's service, or remove it (Windows)");
  std::string service_action;
  service->add_option("action", service_action, "install or uninstall")
      ->required()
      ->check(CLI::IsMember({"install", "uninstall"}));

  auto* log_format_option = app.get_option("--log-format");
  auto* log_level_option = app.get_option("--log-level");
  CLI11_PARSE(app, argc, argv);

  try {
    auto format = triage::parse_log_format(log_format);
    if (auto r = triage::setup_logging("triage-agent", *format, log_level); !r) {
      throw std::runtime_error(r.error().message);
    }
    if (get_help->parsed()) {
      help_options.wait = std::chrono::seconds(wait_s);
      help_options.socket = socket_path;
      return ta::run_get_help(ta::StateDir(state_dir), load_config(config_path), help_options,
                              std::cout, std::cerr);
    }
    if (helper->parsed()) {
      auto options = ta::parse_snapshot_helper_args(helper->remaining());
      if (!options) throw std::runtime_error(options.error().message);
      return ta::run_snapshot_helper(*options);
    }
    if (service->parsed()) return ta::run_service_command(service_action, std::cout, std::cerr);
    if (history->parsed()) {
      return ta::run_history(ta::StateDir(state_dir), history_json, std::cout, std::cerr);
    }
    if (kill_process->parsed()) {
      return ta::run_kill_process(triage::FsRoot("/"), kill_pid, kill_name, std::cout, std::cerr);
    }
    if (restart_service->parsed()) {
      return ta::run_restart_windows_service(service_name, std::cout, std::cerr);
    }
    if (service_running->parsed()) {
      return ta::run_windows_service_running(service_name, std::cout, std::cerr);
    }
    if (clear_print_queue->parsed()) {
      return ta::run_clear_windows_print_queue({}, std::cout, std::cerr);
    }
    if (print_queue_empty->parsed()) {
      return ta::run_windows_print_queue_empty({}, std::cout, std::cerr);
    }
    if (flush_dns->parsed()) return ta::run_flush_windows_dns(std::cout, std::cerr);
    if (renew_dhcp->parsed()) return ta::run_renew_windows_dhcp(std::cout, std::cerr);
    if (restart_explorer->parsed()) {
      return ta::run_restart_windows_explorer(explorer_user, {}, std::cout, std::cerr);
    }
    if (explorer_running->parsed()) {
      return ta::run_windows_explorer_running(explorer_user, {}, std::cout, std::cerr);
    }
    if (reboot->parsed()) return ta::run_reboot_windows(reboot_minutes, std::cout, std::cerr);
    if (log_bundle->parsed()) {
      return ta::run_log_bundle(bundle_options, std::cerr);
    }
    if (collect->parsed()) {
      collect_options.only = split_commas(only);
      collect_options.sysroot = sysroot;
      return ta::run_collect_command(collect_options, std::cout, std::cerr);
    }
    if (enroll->parsed()) {
      ta::TokenSource token_source;
      if (token_opt->count() > 0) token_source.value = token_value;
      if (token_file_opt->count() > 0) token_source.file = token_file;
      token_source.from_stdin = token_stdin;
      auto token = ta::read_enrollment_token(token_source, std::cin);
      if (!token) throw std::runtime_error(token.error().message);
      enroll_options.token = std::move(*token);
      enroll_options.state = ta::StateDir(state_dir);
      enroll_options.hostname = local_hostname();
      auto device_id = ta::enroll(enroll_options);
      if (!device_id) throw std::runtime_error(device_id.error().message);
      std::cout << "enrolled as device " << *device_id << "\n";
      return 0;
    }
    if (run->parsed()) {
      auto config = load_config(config_path);
      config.sysroot = run_sysroot;
      // The command line wins over the config file.
      if (log_format_option->count() == 0) log_format = config.log_format;
      if (log_level_option->count() == 0) log_level = config.log_level;
      format = triage::parse_log_format(log_format);
      if (auto r = triage::setup_logging("triage-agent", *format, log_level); !r) {
        throw std::runtime_error(r.error().message);
      }
      const ta::StateDir state(state_dir);
      auto enrolled = ta::enroll_from_token_file(
          state,
          {enroll_token_file, config.collector_url, config.collector_ca_sha256, local_hostname()});
      if (!enrolled) throw std::runtime_error(enrolled.error().message);
      std::optional<std::chrono::seconds> interval;
      if (report_interval_s > 0) interval = std::chrono::seconds(report_interval_s);
      return ta::run_under_service_manager([&] { return ta::run_daemon(state, config, interval); });
    }
  } catch (const std::exception& e) {
    std::cerr << "triage-agent: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
