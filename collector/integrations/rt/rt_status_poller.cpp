#include "collector/integrations/rt/rt_status_poller.hpp"

#include "collector/integrations/rt/rt_connector.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::collector {

namespace {

constexpr int kMaxTicketsPerRound = 200;

}  // namespace

RtStatusPoller::RtStatusPoller(Store& store, TicketService& tickets, transport::SslContextPtr tls,
                               RtSettings settings, std::shared_ptr<const CredentialCipher> cipher,
                               std::chrono::milliseconds interval, Leadership* leadership)
    : store_(store),
      tickets_(tickets),
      tls_(std::move(tls)),
      settings_(settings),
      cipher_(std::move(cipher)),
      leadership_(leadership),
      task_(PeriodicTaskOptions{"rt status poller", interval, false, "rt-poller"}, [this] {
        if (leads(leadership_)) poll_once();
      }) {}

RtStatusPoller::~RtStatusPoller() { stop(); }

void RtStatusPoller::start() { task_.start(); }

void RtStatusPoller::stop() { task_.stop(); }

int RtStatusPoller::poll_once() {
  auto targets = store_.read().outbox().list_integration_targets(kRtConnector);
  if (!targets) {
    logs::integrations().warn("rt status: listing targets: {}", targets.error().message);
    return 0;
  }
  int resolved = 0;
  for (const auto& target : *targets) {
    if (!target.active || !target.settings.value("poll_status", false)) continue;
    const std::string system = target.settings.value("linked_system", "");
    if (system.empty()) continue;
    auto client = rt_client_for(target, cipher_.get(), tls_, settings_);
    if (!client) {
      logs::integrations().warn("rt status: target {}: {}", target.id, client.error().message);
      continue;
    }
    auto linked = store_.read().tickets().linked_open_tickets(system, kMaxTicketsPerRound);
    if (!linked) {
      logs::integrations().warn("rt status: listing linked tickets: {}", linked.error().message);
      continue;
    }
    for (const auto& ticket : *linked) {
      if (task_.stopping()) return resolved;
      auto status = client->ticket_status(ticket.external_id);
      if (!status) {
        logs::integrations().info("rt status: RT ticket {} (triage #{}): {}",
                                  log_safe(ticket.external_id), ticket.id,
                                  log_safe(status.error().detail));
        if (status.error().http_status == 0) break;  // RT is unreachable: next round
        continue;
      }
      if (*status != "resolved") continue;
      TicketChange change;
      change.status = TicketStatus::kResolved;
      change.reason = "resolved in RT ticket " + ticket.external_id;
      auto updated =
          tickets_.update(ticket.id, change, "rt:" + target.name, std::chrono::system_clock::now());
      if (!updated) {
        logs::integrations().warn("rt status: resolving ticket {}: {}", ticket.id,
                                  updated.error().message);
        continue;
      }
      ++resolved;
      logs::integrations().info("rt status: ticket {} resolved (RT ticket {} is resolved)",
                                ticket.id, ticket.external_id);
    }
  }
  return resolved;
}

}  // namespace triage::collector
