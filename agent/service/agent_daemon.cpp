#include "agent/service/agent_daemon.hpp"

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/enroll/certificate_renewal.hpp"
#include "agent/ipc/ipc_server.hpp"
#include "agent/service/agent_runtime.hpp"
#include "agent/service/agent_spool.hpp"
#include "agent/service/service_control.hpp"
#include "agent/state/system_paths.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/url.hpp"

namespace triage::agent {

SnapshotOptions snapshot_options(const AgentConfig& config, const std::string& collector_host,
                                 const std::string& collector_port) {
  SnapshotOptions options;
  options.disabled_categories = config.disabled_categories;
  options.sysroot = config.sysroot;
  options.probes_enabled = config.probes_enabled;
  options.probe_dns_name = config.probe_dns_name;
  if (config.probe_collector) {
    options.probe_collector_host = collector_host;
    options.probe_collector_port = static_cast<std::uint16_t>(std::atoi(collector_port.c_str()));
  }
  return options;
}

std::filesystem::path daemon_socket_path(const StateDir& state, const AgentConfig& config) {
  if (!config.ipc_socket.empty()) return config.ipc_socket;
  if (auto endpoint = service_manager_ipc_endpoint()) return *endpoint;
  return state.default_socket();
}

std::filesystem::path client_socket_path(const StateDir& state, const AgentConfig& config) {
  if (!config.ipc_socket.empty()) return config.ipc_socket;
  std::error_code ec;
  const auto& service = system_paths().service_ipc_endpoint;
  if (std::filesystem::exists(service, ec)) return service;
  return state.default_socket();
}

int run_daemon(const StateDir& state, const AgentConfig& config,
               std::optional<std::chrono::seconds> report_interval) {
  prepare_daemon_process();
  // A renewal the previous run left half installed is finished (or undone) before the key and
  // certificate are read.
  if (auto r = recover_interrupted_renewal(state); !r)
    spdlog::warn("state directory: {}", r.error().message);
  auto identity = load_identity(state);
  if (!identity) throw std::runtime_error(identity.error().message);
  auto tls = transport::make_client_tls_context(
      {identity->ca_pem, identity->certificate_pem, identity->key_pem});
  if (!tls) throw std::runtime_error("TLS setup: " + tls.error().message);
  auto spool = open_agent_spool(state, spool::SpoolLimits{config.spool_max_bytes});
  if (!spool) throw std::runtime_error(spool.error().message);
  auto journal = ActionJournal::open(state.actions_journal());
  if (!journal) throw std::runtime_error(journal.error().message);
  if (identity->order_signing_key_pem.empty()) {
    spdlog::warn(
        "no order-signing key pinned at enrollment: every order will be refused "
        "(re-enroll to pin one)");
  }

  AgentRunOptions options;
  options.collector_url = config.collector_url;
  options.report_interval = report_interval;
  if (!options.report_interval && config.report_interval_set) {
    options.report_interval = config.report_interval;
  }
  options.heartbeat_interval = config.heartbeat_interval;
  options.help_requests_per_hour = config.help_requests_per_hour;
  options.journal = journal->get();
  options.orders.policy = config.policy;
  options.probes.policy = config.probe_policy;
  options.probes.env.sysroot = config.sysroot;
  options.state = state;
  auto url = transport::parse_url(config.collector_url.empty() ? identity->enrollment.server_url
                                                               : config.collector_url);
  if (!url) throw std::runtime_error("collector URL: " + url.error().message);
  options.snapshot = snapshot_options(config, url->host, url->port);
  // The snapshot process logs at the daemon's level, into the daemon's log.
  auto level = spdlog::level::to_string_view(spdlog::get_level());
  options.snapshot_process.leading_args = {"--log-level", std::string(level.data(), level.size())};

  boost::asio::io_context ioc(1);
  AgentRuntime runtime(ioc, std::move(*identity), *tls, **spool, options);

  ipc::IpcServerOptions ipc_options;
  ipc_options.socket_path = daemon_socket_path(state, config);
  ipc_options.group = config.ipc_group;
  auto ipc_server = ipc::make_ipc_server(
      ioc, ipc_options,
      [&runtime](const nlohmann::json& request, const ipc::PeerCredentials& peer,
                 ipc::IpcReplyPtr reply) {
        auto help = parse_help_submission(request, peer.uid, peer.user);
        if (!help) {
          spdlog::warn("local socket: uid {}: {}", peer.uid, help.error().message);
          reply->send(progress_to_json({HelpState::kError, 0, "", help.error().message}), true);
          return;
        }
        std::weak_ptr<ipc::IpcReply> weak = reply;
        runtime.submit_help(std::move(*help), [weak](const HelpProgress& progress) {
          if (auto r = weak.lock()) r->send(progress_to_json(progress), progress.final());
        });
      });
  if (auto r = ipc_server->start(); !r) throw std::runtime_error(r.error().message);

  boost::asio::steady_timer force_stop(ioc);
  auto stop_requests = watch_stop_requests(ioc, [&](const std::string& why) {
    spdlog::info("{}: stopping", why);
    ipc_server->stop();
    // A clean WebSocket close when the collector answers quickly; never wait long for it.
    force_stop.expires_after(std::chrono::seconds(3));
    force_stop.async_wait([&](const boost::system::error_code&) { ioc.stop(); });
    runtime.stop([&] { ioc.stop(); });
  });
  runtime.start();
  ioc.run();
  return 0;
}

}  // namespace triage::agent
