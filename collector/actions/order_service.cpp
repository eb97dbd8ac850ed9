#include "collector/actions/order_service.hpp"

#include <spdlog/spdlog.h>

#include "collector/actions/action_definition.hpp"
#include "collector/audit/audit_log.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/codec.hpp"

namespace triage::collector {

namespace {

/// The longest post-check a definition may declare (action_definition.cpp).
constexpr std::chrono::seconds kLongestPostCheck{600};

bool role_at_least(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

TicketEvent order_event(const Order& order, TimePoint at, const std::string& actor,
                        const std::string& kind, nlohmann::json data) {
  TicketEvent e;
  e.ticket_id = order.ticket_id;
  e.at = at;
  e.actor = actor;
  e.kind = kind;
  e.visibility = Visibility::kInternal;
  e.data = std::move(data);
  return e;
}

std::int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// Orders are decisions of people: an integration's identity never asks for or approves one.
Result<void> refuse_service_account(const User& user) {
  if (user.kind == UserKind::kPerson) return {};
  return fail(ErrorCode::kDenied, "service account " + user.name +
                                      " cannot request, approve or reject orders; a person must");
}

/// How the ticket timeline names who acted.
std::string timeline_actor(const OrderActor& actor) {
  return actor.kind == AuditActorKind::kDevice ? "device:" + actor.name : actor.name;
}

}  // namespace

nlohmann::json order_event_data(const Order& order) {
  return {{"order_id", order.id},
          {"action", order.action_id},
          {"device_id", order.device_id},
          {"argv", order.argv},
          {"risk", order.risk},
          {"state", order_state_name(order.state)},
          {"requested_by", order.requested_by},
          {"requested_credential", order.requested_credential},
          {"approved_by", order.approved_by},
          {"approved_credential", order.approved_credential}};
}

OrderService::OrderService(Store& store, AgentChannel& agents, const ActionCatalog& catalog,
                           const OrderSigner& signer, OrderSettings settings, AuditLog* audit,
                           OutboxPlanner* outbox, Leadership* sweep_leadership)
    : store_(store),
      agents_(agents),
      signer_(signer),
      settings_(settings),
      audit_(audit),
      outbox_(outbox),
      sweep_leadership_(sweep_leadership),
      sweeper_(PeriodicTaskOptions{"order expiry sweep", settings.sweep_interval, false}, [this] {
        if (!leads(sweep_leadership_)) return;
        if (auto r = sweep(std::chrono::system_clock::now()); !r) {
          spdlog::error("order expiry sweep: {}", r.error().message);
        }
      }) {
  auto now = std::chrono::system_clock::now();
  auto signed_catalog = signer_.sign_catalog(catalog.manifest(unix_ms(now)));
  if (!signed_catalog) {
    throw std::runtime_error("signing the action catalog: " + signed_catalog.error().message);
  }
  catalog_ = std::make_shared<const ActionCatalog>(catalog);
  signed_catalog_ = std::make_shared<const v1::SignedCatalog>(std::move(*signed_catalog));
}

std::shared_ptr<const ActionCatalog> OrderService::catalog() const {
  std::lock_guard lock(catalog_mutex_);
  return catalog_;
}

v1::SignedCatalog OrderService::signed_catalog() const {
  std::lock_guard lock(catalog_mutex_);
  return *signed_catalog_;
}

Result<void> OrderService::replace_catalog(ActionCatalog next) {
  auto signed_catalog =
      signer_.sign_catalog(next.manifest(unix_ms(std::chrono::system_clock::now())));
  if (!signed_catalog) return tl::unexpected(signed_catalog.error());
  v1::CollectorMessage update;
  *update.mutable_catalog_update() = *signed_catalog;
  {
    std::lock_guard lock(catalog_mutex_);
    catalog_ = std::make_shared<const ActionCatalog>(std::move(next));
    signed_catalog_ = std::make_shared<const v1::SignedCatalog>(std::move(*signed_catalog));
  }
  // Agents that connect from now on get it in their HelloAck; the connected ones now.
  const std::size_t pushed = agents_.broadcast(update);
  spdlog::info("action catalog replaced: {} actions, pushed to {} connected agents",
               catalog()->all().size(), pushed);
  return {};
}

Result<bool> OrderService::commit(const Order& order, const std::vector<OrderState>& from,
                                  const std::vector<TicketEvent>& events, const std::string& what,
                                  const OrderActor& actor, TimePoint now,
                                  std::optional<OrderState> previous, Attachment* attachment) {
  auto write = [&](WriteTx& tx) -> Result<bool> {
    Result<bool> updated = false;
    std::vector<TicketEvent> written = events;
    if (attachment == nullptr) {
      updated = tx.orders().update_order(order, from, events);
    } else {
      Order stored = order;  // the store notes the attachment's id in the stored result
      updated = tx.orders().update_order_with_attachment(stored, from, *attachment, events);
      for (auto& e : written) e.data["attachment_id"] = attachment->id;  // as the store does
    }
    if (!updated || !*updated) return updated;  // moved meanwhile: nothing written
    if (auto r = plan_outbox(outbox_, tx, written); !r) return tl::unexpected(r.error());
    return true;
  };
  if (!audit_) return store_.write(write);
  bool moved = false;
  if (!previous && from.size() == 1) previous = from.front();
  auto stored = audit_->record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto updated = write(tx);
    if (!updated) return tl::unexpected(updated.error());
    if (!*updated) return fail(ErrorCode::kConflict, "order " + order.id + " moved meanwhile");
    moved = true;
    return order_audit_event(order, what, actor, previous, now);
  });
  if (stored) return true;
  if (!moved && stored.error().code == ErrorCode::kConflict) return false;
  return tl::unexpected(stored.error());
}

OrderService::~OrderService() { stop(); }

Result<Order> OrderService::load(const std::string& order_id) {
  auto order = store_.read().orders().find_order(order_id);
  if (!order) return tl::unexpected(order.error());
  if (!*order) return fail(ErrorCode::kNotFound, "no order " + order_id.substr(0, 64));
  return std::move(**order);
}

Result<Order> OrderService::transition(Order order, std::vector<OrderState> from,
                                       const OrderActor& actor, const std::string& kind,
                                       nlohmann::json data, TimePoint now) {
  const auto previous = from.front();
  order.updated_at = now;
  auto event_data = order_event_data(order);
  for (auto& [k, v] : data.items()) event_data[k] = v;
  // The timeline kind "action_approved" is the audit event "order.approved".
  const std::string what = kind.substr(kind.find('_') + 1);
  auto updated =
      commit(order, from, {order_event(order, now, timeline_actor(actor), kind, event_data)}, what,
             actor, now);
  if (!updated) return tl::unexpected(updated.error());
  if (!*updated) {
    return fail(ErrorCode::kConflict, "order " + order.id + " is no longer " +
                                          order_state_name(previous) + "; reload it");
  }
  return order;
}

Result<Order> OrderService::request(const OrderRequest& request, const User& user, TimePoint now) {
  if (auto r = refuse_service_account(user); !r) return tl::unexpected(r.error());
  const auto catalog = this->catalog();
  const auto* def = catalog->find(request.action_id);
  if (def == nullptr) {
    return fail(ErrorCode::kInvalid,
                "`action`: no action `" + request.action_id.substr(0, 64) + "` in the catalog");
  }
  if (!role_at_least(user.role, def->required_role())) {
    return fail(ErrorCode::kDenied, "action " + def->id + " (" + action_risk_name(def->risk) +
                                        " risk) needs the " + role_name(def->required_role()) +
                                        " role (you are " + role_name(user.role) + ")");
  }
  auto values = validate_params(*def, request.params);
  if (!values) return tl::unexpected(values.error());
  auto ticket = store_.read().tickets().find_ticket(request.ticket_id);
  if (!ticket) return tl::unexpected(ticket.error());
  if (!*ticket) return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(request.ticket_id));
  const auto& linked = (*ticket)->device_ids;
  std::string device_id = request.device_id;
  if (device_id.empty()) {
    if (linked.size() != 1) {
      return fail(ErrorCode::kInvalid, "`device_id`: the ticket has " +
                                           std::to_string(linked.size()) +
                                           " linked devices; name one");
    }
    device_id = linked.front();
  } else if (std::find(linked.begin(), linked.end(), device_id) == linked.end()) {
    return fail(ErrorCode::kInvalid, "`device_id`: device is not linked to this ticket");
  }
  auto device = store_.read().devices().find_device(device_id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kInvalid, "`device_id`: no such device");
  if ((*device)->revoked_at) {
    return fail(ErrorCode::kConflict, "device " + device_id + " is revoked");
  }
  auto waiting = store_.read().orders().list_orders(
      OrderQuery{device_id,
                 std::nullopt,
                 {OrderState::kQueued, OrderState::kSent, OrderState::kRunning},
                 static_cast<int>(settings_.max_queued_per_device) + 1});
  if (!waiting) return tl::unexpected(waiting.error());
  if (waiting->size() >= settings_.max_queued_per_device) {
    return fail(ErrorCode::kConflict, "device " + device_id + " already has " +
                                          std::to_string(waiting->size()) +
                                          " orders waiting or running; try again later");
  }

  Order order;
  order.id = pki::random_uuid();
  order.ticket_id = request.ticket_id;
  order.device_id = device_id;
  order.action_id = def->id;
  order.action_version = def->version;
  order.definition_sha256 = def->sha256;
  order.params = nlohmann::json(*values);
  order.argv = resolve_argv(def->argv, *values);
  order.risk = action_risk_name(def->risk);
  order.timeout_s = def->timeout_s;
  order.output_cap_bytes = def->output_cap_bytes;
  order.requested_by = user.name;
  order.requested_credential = request.credential;
  order.created_at = now;
  order.updated_at = now;
  if (def->needs_approval()) {
    order.state = OrderState::kAwaitingApproval;
  } else {
    order.state = OrderState::kQueued;
    if (auto r = signer_.sign(order, *def, now, settings_.order_ttl); !r) {
      return tl::unexpected(r.error());
    }
  }
  auto data = order_event_data(order);
  data["title"] = def->title;
  data["definition_sha256"] = def->sha256;
  const std::vector<TicketEvent> events{
      order_event(order, now, user.name, "action_requested", std::move(data))};
  auto insert = [&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.orders().insert_order(order, events); !r) return r;
    return plan_outbox(outbox_, tx, events);
  };
  if (audit_) {
    auto stored = audit_->record_with([&](WriteTx& tx) -> Result<AuditEvent> {
      if (auto r = insert(tx); !r) return tl::unexpected(r.error());
      return order_audit_event(order, "requested", OrderActor::user(user.name, request.source),
                               std::nullopt, now);
    });
    if (!stored) return tl::unexpected(stored.error());
  } else if (auto r = store_.write(insert); !r) {
    return tl::unexpected(r.error());
  }
  spdlog::info("order {}: {} requested {} on device {} (ticket {}, {})", order.id, user.name,
               order.action_id, device_id, order.ticket_id, order_state_name(order.state));
  if (order.state == OrderState::kQueued) dispatch(device_id);
  return load(order.id);
}

Result<Order> OrderService::approve(const std::string& order_id, const User& user, TimePoint now,
                                    const std::string& source, const std::string& credential) {
  if (auto r = refuse_service_account(user); !r) return tl::unexpected(r.error());
  auto order = load(order_id);
  if (!order) return order;
  if (order->requested_by == user.name) {
    return fail(ErrorCode::kDenied, "the requester cannot approve their own order");
  }
  if (order->state != OrderState::kAwaitingApproval) {
    return fail(
        ErrorCode::kConflict,
        "order " + order_id + " is " + order_state_name(order->state) + ", not awaiting approval");
  }
  const auto catalog = this->catalog();
  const auto* def = catalog->find(order->action_id);
  if (def == nullptr || def->sha256 != order->definition_sha256) {
    return fail(ErrorCode::kConflict,
                "the definition of action " + order->action_id +
                    " changed since the order was requested; request it again");
  }
  const Role needed =
      role_at_least(def->required_role(), Role::kSenior) ? def->required_role() : Role::kSenior;
  if (!role_at_least(user.role, needed)) {
    return fail(ErrorCode::kDenied,
                std::string("approving this order needs the ") + role_name(needed) + " role");
  }
  order->approved_by = user.name;
  order->approved_credential = credential;
  order->state = OrderState::kQueued;
  if (auto r = signer_.sign(*order, *def, now, settings_.order_ttl); !r) {
    return tl::unexpected(r.error());
  }
  auto approved = transition(std::move(*order), {OrderState::kAwaitingApproval},
                             OrderActor::user(user.name, source), "action_approved",
                             nlohmann::json::object(), now);
  if (!approved) return approved;
  spdlog::info("order {}: approved by {}", order_id, user.name);
  dispatch(approved->device_id);
  return load(order_id);
}

Result<Order> OrderService::reject(const std::string& order_id, const User& user,
                                   const std::string& reason, TimePoint now,
                                   const std::string& source) {
  if (auto r = refuse_service_account(user); !r) return tl::unexpected(r.error());
  auto order = load(order_id);
  if (!order) return order;
  if (order->requested_by == user.name) {
    return fail(ErrorCode::kDenied,
                "the requester cannot reject their own order; cancel it instead");
  }
  if (order->state != OrderState::kAwaitingApproval) {
    return fail(
        ErrorCode::kConflict,
        "order " + order_id + " is " + order_state_name(order->state) + ", not awaiting approval");
  }
  order->state = OrderState::kCancelled;
  order->reason = "rejected by " + user.name + (reason.empty() ? "" : ": " + reason);
  order->finished_at = now;
  spdlog::info("order {}: rejected by {}", order_id, user.name);
  return transition(std::move(*order), {OrderState::kAwaitingApproval},
                    OrderActor::user(user.name, source), "action_rejected", {{"reason", reason}},
                    now);
}

Result<Order> OrderService::cancel(const std::string& order_id, const User& user,
                                   const std::string& reason, TimePoint now,
                                   const std::string& source) {
  auto order = load(order_id);
  if (!order) return order;
  if (order->requested_by != user.name && !role_at_least(user.role, Role::kSenior)) {
    return fail(ErrorCode::kDenied, "only the requester or a senior user can cancel an order");
  }
  if (order->state == OrderState::kSent || order->state == OrderState::kRunning) {
    return request_cancel(std::move(*order), user, reason, now, source);
  }
  if (order->state != OrderState::kAwaitingApproval && order->state != OrderState::kQueued) {
    return fail(ErrorCode::kConflict, "order " + order_id + " is " +
                                          order_state_name(order->state) +
                                          " already; a finished order stays as it ended");
  }
  const auto from = order->state;
  order->state = OrderState::kCancelled;
  order->reason = "cancelled by " + user.name + (reason.empty() ? "" : ": " + reason);
  order->finished_at = now;
  auto cancelled =
      transition(std::move(*order), {from}, OrderActor::user(user.name, source), "action_cancelled",
                 {{"reason", reason}, {"cancelled_by", user.name}}, now);
  if (!cancelled && cancelled.error().code == ErrorCode::kConflict) {
    // Sent meanwhile: it is now the agent's to stop.
    auto reloaded = load(order_id);
    if (reloaded &&
        (reloaded->state == OrderState::kSent || reloaded->state == OrderState::kRunning)) {
      return request_cancel(std::move(*reloaded), user, reason, now, source);
    }
  }
  return cancelled;
}

Result<Order> OrderService::request_cancel(Order order, const User& user, const std::string& reason,
                                           TimePoint now, const std::string& source) {
  if (!order.cancel_requested_by.empty()) {
    send_cancel(order);  // asked again: the device may not have heard the first time
    return order;
  }
  const auto state = order.state;
  order.cancel_requested_by = user.name;
  order.cancel_reason = reason;
  auto requested =
      transition(std::move(order), {state}, OrderActor::user(user.name, source),
                 "action_cancel_requested", {{"reason", reason}, {"cancelled_by", user.name}}, now);
  if (!requested) {
    if (requested.error().code != ErrorCode::kConflict) return requested;
    // It moved meanwhile (running, or finished): finished orders stay finished.
    auto reloaded = load(order.id);
    if (!reloaded) return reloaded;
    if (reloaded->state != OrderState::kSent && reloaded->state != OrderState::kRunning) {
      return fail(ErrorCode::kConflict, "order " + reloaded->id + " is " +
                                            order_state_name(reloaded->state) +
                                            " already; a finished order stays as it ended");
    }
    return request_cancel(std::move(*reloaded), user, reason, now, source);
  }
  spdlog::info("order {}: cancel requested by {}", requested->id, user.name);
  send_cancel(*requested);
  return requested;
}

void OrderService::send_cancel(const Order& order) {
  v1::CollectorMessage message;
  message.mutable_order_cancel()->set_order_id(order.id);
  message.mutable_order_cancel()->set_reason(
      "cancelled by " + order.cancel_requested_by +
      (order.cancel_reason.empty() ? "" : ": " + order.cancel_reason.substr(0, 200)));
  // Offline: sent again when the device reconnects (dispatch).
  if (agents_.send(order.device_id, message) == Delivery::kQueued) {
    spdlog::info("order {}: cancel sent to device {}", order.id, order.device_id);
  }
}

Result<OrderView> OrderService::get(const std::string& order_id) {
  auto order = load(order_id);
  if (!order) return tl::unexpected(order.error());
  auto output = store_.read().orders().order_output(order_id);
  if (!output) return tl::unexpected(output.error());
  return OrderView{std::move(*order), std::move(*output)};
}

void OrderService::dispatch(const std::string& device_id) {
  if (!agents_.is_online(device_id)) return;
  auto queued = store_.read().orders().list_orders(
      OrderQuery{device_id,
                 std::nullopt,
                 {OrderState::kQueued},
                 static_cast<int>(settings_.max_queued_per_device)});
  if (!queued) {
    spdlog::error("device {}: reading queued orders: {}", device_id, queued.error().message);
    return;
  }
  for (auto& order : *queued) {
    const auto now = std::chrono::system_clock::now();
    if (!order.expires_at || *order.expires_at <= now) continue;  // the sweep expires it
    v1::CollectorMessage message;
    if (!message.mutable_order()->ParseFromString(order.signed_order)) {
      spdlog::error("order {}: stored signed order is unreadable", order.id);
      continue;
    }
    Order sent = order;
    sent.state = OrderState::kSent;
    sent.sent_at = now;
    sent.updated_at = now;
    // Claimed before sending: of two concurrent dispatches only one sends the order.
    auto claimed = commit(sent, {OrderState::kQueued}, {}, "sent", OrderActor::system(), now);
    if (!claimed || !*claimed) continue;
    if (agents_.send(device_id, message) != Delivery::kQueued) {
      order.updated_at = std::chrono::system_clock::now();
      (void)commit(order, {OrderState::kSent}, {}, "requeued", OrderActor::system(),
                   order.updated_at);
      spdlog::warn("order {}: device {} went away; kept queued", order.id, device_id);
      return;
    }
    spdlog::info("order {}: sent to device {}", order.id, device_id);
  }
  // Cancels the device may have missed while it was away.
  auto started = store_.read().orders().list_orders(
      OrderQuery{device_id,
                 std::nullopt,
                 {OrderState::kSent, OrderState::kRunning},
                 static_cast<int>(settings_.max_queued_per_device)});
  if (!started) return;
  for (const auto& order : *started) {
    if (!order.cancel_requested_by.empty()) send_cancel(order);
  }
}

Result<int> OrderService::sweep(TimePoint now) {
  auto pending = store_.read().orders().list_orders(OrderQuery{
      "",
      std::nullopt,
      {OrderState::kAwaitingApproval, OrderState::kQueued, OrderState::kSent, OrderState::kRunning},
      1000});
  if (!pending) return tl::unexpected(pending.error());
  int expired = 0;
  for (auto& order : *pending) {
    std::string reason;
    if (order.state == OrderState::kAwaitingApproval) {
      if (order.created_at + settings_.approval_ttl <= now) reason = "not approved in time";
    } else if (order.state == OrderState::kQueued) {
      if (order.expires_at && *order.expires_at <= now) {
        reason = "the device was not reachable before the order expired";
      }
    } else if (order.state == OrderState::kSent) {
      if (order.expires_at && *order.expires_at + 2 * settings_.clock_skew <= now) {
        // Past this point the agent refuses the order, so it can no longer start.
        reason = "the agent did not confirm the order before it expired";
      }
    } else if (order.updated_at + std::chrono::seconds(order.timeout_s) + kLongestPostCheck +
                   2 * settings_.clock_skew <=
               now) {
      // Running (since updated_at) past its timeout and the longest post-check: the agent
      // died or lost the result. It no longer counts against the device's queue; a result
      // that arrives later (through the agent's spool) is still recorded.
      reason = "no result from the agent within the action's timeout";
    }
    if (reason.empty()) continue;
    const auto from = order.state;
    order.state = OrderState::kExpired;
    order.reason = reason;
    order.finished_at = now;
    auto r = transition(std::move(order), {from}, OrderActor::system(), "action_expired",
                        {{"reason", reason}}, now);
    if (r) {
      ++expired;
      spdlog::info("order {}: expired ({})", r->id, reason);
    }
  }
  return expired;
}

void OrderService::start() { sweeper_.start(); }

void OrderService::stop() { sweeper_.stop(); }

}  // namespace triage::collector
