#pragma once
// Records and helpers shared by the storage contract tests.

#include <barrier>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collector/storage/store.hpp"

namespace triage::collector::contract {

inline TimePoint at(int seconds) {
  return TimePoint(std::chrono::milliseconds(1795000000000) + std::chrono::seconds(seconds));
}

inline EnrollmentToken enrollment_token(const std::string& id, int max_uses, int uses = 0) {
  EnrollmentToken t;
  t.id = id;
  t.token_hash = "hash-" + id;
  t.created_at = at(0);
  t.expires_at = at(3600);
  t.max_uses = max_uses;
  t.uses = uses;
  t.created_by = "user:alice";
  return t;
}

inline Device device(const std::string& id) {
  Device d;
  d.id = id;
  d.hostname = "host-" + id;
  d.certificate_sha256 = "cert-" + id;
  d.enrolled_at = at(1);
  return d;
}

/// Enrolls devices `ids` at time 1 with one token (`t-enroll`) of as many uses.
inline Result<void> enroll_devices(WriteTx& tx, const std::vector<std::string>& ids) {
  if (auto r = tx.devices().insert_enrollment_token(
          enrollment_token("t-enroll", static_cast<int>(ids.size())));
      !r) {
    return r;
  }
  for (const auto& id : ids) {
    if (auto r = tx.devices().enroll_device("hash-t-enroll", device(id), at(1)); !r) {
      return tl::unexpected(r.error());
    }
  }
  return {};
}

inline User user(const std::string& name) {
  User u;
  u.name = name;
  u.role = Role::kTechnician;
  u.password_hash = "x";
  u.created_at = at(0);
  return u;
}

inline Ticket ticket(const std::string& title) {
  Ticket t;
  t.title = title;
  t.source = "staff";
  t.created_at = t.updated_at = t.response_due_at = t.due_at = at(10);
  return t;
}

inline TicketEvent event(std::int64_t ticket_id, const std::string& kind) {
  TicketEvent e;
  e.ticket_id = ticket_id;
  e.at = at(20);
  e.actor = "alice";
  e.kind = kind;
  e.visibility = Visibility::kInternal;
  return e;
}

inline Attachment attachment(std::int64_t ticket_id, const std::string& content) {
  Attachment a;
  a.ticket_id = ticket_id;
  a.name = "snapshot.json";
  a.content_type = "application/json";
  a.kind = "diagnostics";
  a.sha256 = std::string(64, 'b');
  a.size = static_cast<std::int64_t>(content.size());
  a.created_at = at(16);
  a.created_by = "system";
  a.content = content;
  return a;
}

inline Enrichment enrichment(std::int64_t ticket_id, const std::string& device_id,
                             std::uint64_t report_seq) {
  Enrichment e;
  e.ticket_id = ticket_id;
  e.device_id = device_id;
  e.purpose = "creation";
  e.source = "stored";
  e.report_seq = report_seq;
  e.created_at = at(16);
  return e;
}

inline Order order(const std::string& id, std::int64_t ticket_id, const std::string& device_id,
                   OrderState state) {
  Order o;
  o.id = id;
  o.ticket_id = ticket_id;
  o.device_id = device_id;
  o.action_id = "restart-spooler";
  o.action_version = 1;
  o.definition_sha256 = std::string(64, 'a');
  o.risk = "low";
  o.timeout_s = 60;
  o.output_cap_bytes = 1024;
  o.requested_by = "alice";
  o.state = state;
  o.created_at = o.updated_at = at(30);
  return o;
}

inline IntegrationTarget webhook_target(const std::string& name) {
  IntegrationTarget t;
  t.connector = "webhook";
  t.name = name;
  t.url = "https://hooks.example/" + name;
  t.event_types = {"ticket.created"};
  t.secret = "whsec_x";
  t.created_at = t.updated_at = at(0);
  return t;
}

inline OutboxMessage outbox_message(std::int64_t target_id, const std::string& delivery_id) {
  OutboxMessage m;
  m.delivery_id = delivery_id;
  m.event_id = "evt-" + delivery_id;
  m.target_id = target_id;
  m.event_type = "ping";
  m.payload = "{}";
  m.created_at = m.queued_at = m.next_attempt_at = at(40);
  return m;
}

inline AuditEvent audit_event(int i) {
  AuditEvent e;
  e.at = at(i);
  e.actor = "alice";
  e.actor_kind = AuditActorKind::kUser;
  e.type = "contract.test";
  e.target = "item:" + std::to_string(i);
  return e;
}

/// Runs `contender(0)` and `contender(1)` on two threads released at the same instant and
/// returns what each returned.
template <class Fn>
auto race(Fn contender) {
  using R = decltype(contender(0));
  std::vector<std::optional<R>> results(2);
  std::barrier start(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i].emplace(contender(i));
    });
  }
  for (auto& t : threads) t.join();
  return std::vector<R>{std::move(*results[0]), std::move(*results[1])};
}

}  // namespace triage::collector::contract
