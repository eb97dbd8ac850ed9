#include "collector/server/serve.hpp"

#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collector/actions/action_catalog.hpp"
#include "collector/actions/custom_actions.hpp"
#include "collector/actions/order_service.hpp"
#include "collector/api/api_router.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/auth/ldap/ldap_directory.hpp"
#include "collector/channel/local_agent_channel.hpp"
#include "collector/channel/postgres/pg_agent_channel.hpp"
#include "collector/enrollment/enrollment_service.hpp"
#include "collector/ingest/ingest_writer.hpp"
#include "collector/ingest/retention_task.hpp"
#include "collector/integrations/credential_cipher.hpp"
#include "collector/integrations/outbox_worker.hpp"
#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/integrations/rt/rt_status_poller.hpp"
#include "collector/integrations/target_credentials.hpp"
#include "collector/integrations/ticket_event_planner.hpp"
#include "collector/integrations/webhook_connector.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/server/collector_app.hpp"
#include "collector/server/hangup_reload.hpp"
#include "collector/server/listener_policy.hpp"
#include "collector/server/site_certificate.hpp"
#include "collector/storage/open_store.hpp"
#include "collector/tickets/enrichment_service.hpp"
#include "collector/tickets/help_request_intake.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/session_ticket_keys.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/tls_context_slot.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/files.hpp"
#include "shared/util/thread_name.hpp"

namespace triage::collector {

namespace {

template <class T>
T or_throw(Result<T> result, const std::string& what) {
  if (!result) throw std::runtime_error(what + ": " + result.error().message);
  return std::move(*result);
}

// Each agent holds one socket: lift the soft limit on open files to the hard limit.
rlim_t raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::warn("cannot raise the open files limit");
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  spdlog::info("open files limit: {}", limit.rlim_cur);
  return limit.rlim_cur;
}

boost::asio::ip::address listen_ip(const std::string& host, const std::string& flag) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error(flag + ": `" + host + "` is not an IP address");
  return address;
}

}  // namespace

int run_serve(const DataDir& dir, const CollectorConfig& config, StorePtr store,
              const ServeReload& reload) {
  auto keys = or_throw(load_keys(dir), "loading keys");
  std::shared_ptr<transport::SessionTicketKeys> ticket_keys;
  if (config.tls_session_resumption) {
    std::string replaced;
    ticket_keys = or_throw(
        transport::SessionTicketKeys::open(dir.session_ticket_keys(), live_clock(), &replaced),
        "TLS session tickets");
    if (!replaced.empty()) {
      spdlog::warn("TLS session ticket keys replaced ({}): agents make one full handshake",
                   replaced);
    }
  }
  auto tls = or_throw(transport::make_server_tls_context(
                          {keys.server_chain_pem, keys.server_key_pem, keys.ca_pem, ticket_keys}),
                      "TLS setup");
  auto [host, port] = or_throw(split_listen_address(config.listen), "--listen");
  const auto address = listen_ip(host, "--listen");
  std::optional<boost::asio::ip::tcp::endpoint> staff_endpoint;
  if (!config.staff_listen.empty()) {
    auto [staff_host, staff_port] =
        or_throw(split_listen_address(config.staff_listen), "--staff-listen");
    staff_endpoint.emplace(listen_ip(staff_host, "--staff-listen"), staff_port);
  }
  if (!config.agent_port_serves_api && !staff_endpoint) {
    throw std::runtime_error(
        "agent_port_serves_api = false needs a staff listener (staff_listen): staff routes "
        "would be served nowhere");
  }
  std::optional<SiteCertificate> site_certificate;
  if (config.staff_tls.configured()) {
    // Agents pin the collector's own CA: the site's certificate can serve people only.
    if (!staff_endpoint) {
      throw std::runtime_error(
          "[staff_tls] is the staff listener's certificate: set staff_listen too (the agent "
          "listener keeps the collector's own certificate, which agents pin)");
    }
    site_certificate = or_throw(load_site_certificate(config.staff_tls), "staff TLS");
  }
  std::vector<boost::asio::ip::address> exempt;
  for (const auto& text : config.per_address_exempt) {
    exempt.push_back(listen_ip(text, "limits.per_address_exempt"));
  }
  std::string metrics_token;
  if (!config.metrics_token_file.empty()) {
    metrics_token = or_throw(read_file(config.metrics_token_file),
                             "metrics.token_file " + config.metrics_token_file);
    while (!metrics_token.empty() &&
           (metrics_token.back() == '\n' || metrics_token.back() == '\r' ||
            metrics_token.back() == ' ')) {
      metrics_token.pop_back();
    }
    if (metrics_token.size() < 16) {
      throw std::runtime_error("metrics.token_file " + config.metrics_token_file +
                               ": the token must be at least 16 characters");
    }
  }

  CollectorMetrics metrics;
  metrics.open_files_limit.Set(static_cast<double>(raise_open_files_limit()));
  // Sessions of this process; with PostgreSQL, shared with the other nodes through it.
  LocalAgentChannel local_agents;
  std::unique_ptr<PgAgentChannel> cluster_agents;
  if (config.storage.backend == "postgres") {
    cluster_agents =
        or_throw(PgAgentChannel::start(config.storage.url, config.cluster), "joining the cluster");
  }
  AgentChannel& agents =
      cluster_agents ? static_cast<AgentChannel&>(*cluster_agents) : local_agents;
  AgentPresence& presence =
      cluster_agents ? static_cast<AgentPresence&>(*cluster_agents) : local_agents;
  AuditLogOptions audit_options;
  audit_options.signing_key = keys.signing_key.get();
  AuditLog audit(*store, audit_options, &metrics);
  IngestOptions ingest;
  ingest.high_water_bytes = config.ingest_queue_bytes;
  ingest.low_water_bytes = config.ingest_queue_bytes / 2;
  IngestWriter writer(*store, ingest, &metrics);
  // Jobs that run once across the cluster run where this node leads them (on SQLite, here);
  // the outbox worker runs on every node, its claims skip what another node holds
  // (docs/architecture.md, "Background jobs on several nodes").
  auto leadership = [&](const std::string& job) {
    return or_throw(open_leadership(config.storage, job), "leadership of the " + job);
  };
  const LeadershipPtr sweep_leadership = leadership("order expiry sweep");
  const LeadershipPtr retention_leadership = leadership("retention");
  const LeadershipPtr rt_status_leadership = leadership("rt status poller");
  RetentionTask retention(*store, config.retention, &metrics, retention_leadership.get());
  auto signing_public_pem =
      or_throw(pki::public_key_to_pem(keys.signing_key.get()), "order-signing public key");
  EnrollmentService enrollment(*store, keys.ca_certificate.get(), keys.ca_key.get(), keys.ca_pem,
                               signing_public_pem, &audit, config.device_certificate_lifetime);
  CertificateRenewer renewer(*store, keys.ca_certificate.get(), keys.ca_key.get(),
                             config.device_certificate_lifetime, &audit);
  // The built-ins and definition files, then the custom actions admins stored over the API.
  auto base_catalog =
      or_throw(ActionCatalog::load(config.actions_dir), "loading the action catalog");
  std::vector<std::string> skipped;
  auto catalog = build_catalog(
      base_catalog,
      or_throw(store->read().catalog().list_custom_actions(), "reading the custom actions"),
      &skipped);
  for (const auto& why : skipped) spdlog::error("action catalog: {}; left out", why);
  auto signer = or_throw(OrderSigner::create(keys.signing_key.get()), "order signing");
  // Every write of ticket events enqueues the outbox messages they cause in its own
  // transaction (the services call the planner); the planner wakes the outbox worker, which
  // is built further down.
  std::atomic<OutboxWorker*> outbox_worker{nullptr};
  TicketEventPlanner outbox_planner([&outbox_worker] {
    if (auto* worker = outbox_worker.load()) worker->wake();
  });
  OrderService orders(*store, agents, catalog, signer, config.orders, &audit, &outbox_planner,
                      sweep_leadership.get());
  CustomActions custom_actions(*store, orders, audit, std::move(base_catalog));
  // Probes are signed with the order-signing key, under a context of their own.
  ProbeService probes(*store, agents, audit, keys.signing_key.get(), signer.key_id(), config.probes,
                      &outbox_planner);
  auto live_settings = config.live;
  live_settings.viewers_may_watch = config.probes.viewers_may_run;
  LiveService live(*store, agents, audit, keys.signing_key.get(), signer.key_id(), live_settings,
                   &outbox_planner);
  // Orders queued on other nodes for a device that came online here go out once every node
  // sees it here; unhooked before `orders` goes.
  std::shared_ptr<void> unhook_dispatch;
  if (cluster_agents) {
    cluster_agents->set_published_listener(
        [&orders](const std::string& id) { orders.dispatch(id); });
    unhook_dispatch.reset(static_cast<void*>(nullptr), [&cluster_agents](void*) {
      cluster_agents->set_published_listener(nullptr);
    });
  }
  if (auto r = record_catalog_loaded(*store, audit, catalog, std::chrono::system_clock::now());
      !r) {
    throw std::runtime_error("recording the action catalog in the audit log: " + r.error().message);
  }
  spdlog::info("action catalog: {} actions, {} (order-signing key {})", catalog.all().size(),
               catalog_sha256(catalog).substr(0, 16), signer.key_id().substr(0, 16));
  EnrichmentSettings enrichment_settings;
  enrichment_settings.fresh_timeout = config.fresh_snapshot_timeout;
  EnrichmentService enrichment(*store, agents, enrichment_settings, &outbox_planner);
  // Snapshots asked for here and answered through another node complete the enrichments
  // waiting for them; unhooked before `enrichment` goes.
  std::shared_ptr<void> unhook_answers;
  if (cluster_agents) {
    cluster_agents->set_snapshot_listener(
        [&enrichment](const std::string& id, std::uint64_t seq, const std::string& request) {
          enrichment.snapshot_committed(id, seq, request);
        });
    unhook_answers.reset(static_cast<void*>(nullptr), [&cluster_agents](void*) {
      cluster_agents->set_snapshot_listener(nullptr);
    });
  }
  TicketService tickets(*store, config.sla, &enrichment, &outbox_planner);
  // States rewritten by a pass over deferred deltas re-evaluate their fleet findings too.
  writer.set_state_listener([&enrichment](const std::string& id) { enrichment.state_changed(id); });
  HelpRequestIntake help_intake(*store, tickets, enrichment, config.help_limits);
  help_intake.set_refusal_listener([&metrics](const std::string& device, const std::string& why) {
    metrics.refusal("help_request_limit").Increment();
    spdlog::warn("device {}: help request refused: {}", device, why);
  });

  // Integrations: the outbox worker's threads deliver what ticket events enqueued.
  std::string extra_ca;
  if (!config.webhook_extra_ca_file.empty()) {
    extra_ca = or_throw(read_file(config.webhook_extra_ca_file),
                        "webhooks.extra_ca_file " + config.webhook_extra_ca_file);
  }
  auto webhook_tls = or_throw(transport::make_public_client_tls_context(extra_ca),
                              "webhook TLS setup (webhooks.extra_ca_file)");
  // Credentials of integration targets are sealed under a key of this data dir.
  auto cipher = std::make_shared<const CredentialCipher>(or_throw(
      CredentialCipher::load_or_create(dir.integrations_key()), "integration credentials key"));
  if (auto sealed = store->write([&](WriteTx& tx) {
        return seal_stored_secrets(tx.outbox(), *cipher, std::chrono::system_clock::now());
      });
      !sealed) {
    throw std::runtime_error("sealing stored integration credentials: " + sealed.error().message);
  } else if (*sealed > 0) {
    spdlog::info("sealed {} integration credentials stored in the clear (key {})", *sealed,
                 cipher->key_id());
  }
  std::vector<std::unique_ptr<Connector>> connectors;
  connectors.push_back(std::make_unique<WebhookConnector>(webhook_tls, config.webhooks, cipher));
  connectors.push_back(
      std::make_unique<RtConnector>(*store, webhook_tls, config.rt, cipher, &outbox_planner));
  OutboxWorker outbox(*store, std::move(connectors), config.outbox, &metrics);
  outbox_worker = &outbox;
  outbox.start();
  RtStatusPoller rt_status(*store, tickets, webhook_tls, config.rt, cipher,
                           config.rt_status_poll_interval, rt_status_leadership.get());
  rt_status.start();

  std::shared_ptr<Directory> directory;
  if (config.ldap.enabled()) {
    // Reads the service account's password file and checks the CA file; the directory itself
    // is first asked at a sign-in (a directory down at start fails sign-ins, not the start).
    auto opened = LdapDirectory::open(config.ldap);
    if (!opened) throw std::runtime_error(opened.error().message);
    directory = std::move(*opened);
    spdlog::info("staff may sign in with the company directory at {} (recheck every {} s)",
                 directory->source(), directory->recheck_interval().count());
  }

  ApiServices api_services{
      *store,  agents,     enrollment, metrics,
      tickets, enrichment, audit,      ApiSettings{config.session_ttl, config.login},
      nullptr, &orders};
  api_services.custom_actions = &custom_actions;
  api_services.probes = &probes;
  api_services.live = &live;
  api_services.wake_outbox = [&outbox] { outbox.wake(); };
  api_services.credentials = cipher;
  api_services.outbox_planner = &outbox_planner;
  api_services.directory = directory;
  ApiRouter router(std::move(api_services));
  AgentSessionSettings session_settings;
  session_settings.heartbeat_interval_s = config.heartbeat_interval_s;
  session_settings.report_interval_s = config.report_interval_s;
  session_settings.max_message_bytes = config.max_message_bytes;
  CollectorApp app(AgentSessionServices{*store, presence, writer, metrics, &enrichment,
                                        &help_intake, &orders, &audit, &probes, &live, &renewer},
                   router, session_settings, config.worker_threads, config.login.login_threads,
                   config.login.login_queue);

  transport::ServerOptions options;
  options.endpoint = {address, port};
  options.handshake_timeout = config.handshake_timeout;
  options.authentication_timeout = config.hello_timeout;
  options.max_unauthenticated_per_address = config.max_unauthenticated_per_address;
  options.per_address_exempt = exempt;
  options.max_requests_per_connection = config.http_max_requests_per_connection;
  options.max_connection_lifetime = config.http_connection_max_age;
  options.websocket_idle_timeout = config.websocket_idle_timeout;
  options.max_websocket_message_bytes = config.max_message_bytes;
  options.max_http_body_bytes = config.max_http_body_bytes;
  options.max_concurrent_handshakes = config.max_concurrent_handshakes;
  options.max_concurrent_large_messages = config.max_concurrent_large_messages;
  options.large_message_timeout = config.large_message_timeout;
  options.on_tls_handshake = [&metrics](bool resumed) {
    metrics.tls_handshakes.Increment();
    if (resumed) metrics.tls_resumed_handshakes.Increment();
  };
  options.on_connection_refused = [&metrics](std::string_view reason) {
    metrics.refusal(std::string(reason)).Increment();
  };

  boost::asio::io_context ioc(static_cast<int>(config.io_threads));
  ListenerPolicy agent_port(app, {.agent_port = true,
                                  .serves_api = config.agent_port_serves_api,
                                  .metrics_token = metrics_token});
  ListenerPolicy staff_port(app, {.agent_port = false, .metrics_token = metrics_token});
  transport::Server server(ioc, *tls, agent_port, options);
  // Staff, console, integrations and /metrics only: agents are refused there, and its
  // handshake gate is its own, so operators keep their view during a reconnect storm.
  std::unique_ptr<transport::Server> staff_server;
  // With [staff_tls], the site's certificate, replaced for new connections on SIGHUP.
  std::shared_ptr<transport::TlsContextSlot> staff_tls;
  if (staff_endpoint) {
    auto staff_options = options;
    staff_options.endpoint = *staff_endpoint;
    staff_options.accept_websockets = false;
    if (site_certificate) {
      staff_tls = std::make_shared<transport::TlsContextSlot>(site_certificate->context);
      staff_server =
          std::make_unique<transport::Server>(ioc, staff_tls, staff_port, std::move(staff_options));
    } else {
      staff_server = std::make_unique<transport::Server>(ioc, *tls, staff_port, staff_options);
    }
  }
  HangupReload hangup(ioc, config.staff_tls, staff_tls,
                      site_certificate ? site_certificate->sha256 : std::string(), reload);
  hangup.start();
  orders.start();
  if (auto r = server.start(); !r) throw std::runtime_error(r.error().message);
  if (staff_server) {
    if (auto r = staff_server->start(); !r) throw std::runtime_error(r.error().message);
  }

  // Scripts and tests read the bound ports from these lines (useful with port 0). The staff
  // line comes first: a reader of the agent line then finds both.
  if (staff_server) {
    std::printf("triage-collector staff listener on https://%s:%u\n",
                staff_endpoint->address().to_string().c_str(), staff_server->port());
  }
  if (cluster_agents) cluster_agents->set_address(host + ":" + std::to_string(server.port()));
  std::printf("triage-collector listening on https://%s:%u\n", host.c_str(), server.port());
  std::fflush(stdout);
  spdlog::info("listening on {}:{} (data {})", host, server.port(), dir.root().string());
  if (staff_server) {
    spdlog::info("staff listener on {}:{} (no agents)", staff_endpoint->address().to_string(),
                 staff_server->port());
  }
  if (site_certificate) {
    spdlog::info("staff listener: site certificate {} (sha256 {}, valid until {})",
                 site_certificate->subject, site_certificate->sha256, site_certificate->not_after);
  }

  // Audit checkpoints: every 100 events, at shutdown, and, checked here each minute, 10
  // minutes after the last one when events came since (AuditLogOptions).
  boost::asio::steady_timer audit_timer(ioc);
  std::function<void()> schedule_checkpoint = [&] {
    audit_timer.expires_after(std::chrono::seconds(60));
    audit_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      audit.checkpoint_if_due(std::chrono::system_clock::now());
      schedule_checkpoint();
    });
  };
  schedule_checkpoint();

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    spdlog::info("signal {}: stopping", signal);
    audit_timer.cancel();
    hangup.stop();
    server.stop();
    if (staff_server) staff_server->stop();
    ioc.stop();
  });

  std::vector<std::thread> threads;
  // The main thread is I/O thread 0 and keeps the program's name (what `ps` and `pgrep` show).
  for (std::size_t i = 1; i < config.io_threads; ++i) {
    threads.emplace_back([&, i] {
      name_this_thread("io-" + std::to_string(i));
      ioc.run();
    });
  }
  ioc.run();
  for (auto& t : threads) t.join();
  app.drain();
  // Everything queued is committed before exit; what was not acknowledged is resent by agents.
  writer.stop();
  retention.stop();
  orders.stop();
  enrichment.stop();
  if (auto c = audit.checkpoint(std::chrono::system_clock::now()); !c) {
    spdlog::error("audit checkpoint at shutdown failed: {}", c.error().message);
  }
  rt_status.stop();
  // This node's devices are offline for the others now, not when its lease runs out.
  if (cluster_agents) cluster_agents->stop();
  // Last: what the others enqueued meanwhile is committed and waits for the next start.
  outbox.stop();
  outbox_worker = nullptr;
  spdlog::info("stopped");
  return 0;
}

}  // namespace triage::collector
