#include "collector/actions/order_service.hpp"

#include "collector/audit/audit_log.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::collector {

namespace {

std::int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool sent_or_running(const Order& order) {
  return order.state == OrderState::kSent || order.state == OrderState::kRunning;
}

}  // namespace

OrderService::OrderService(Store& store, AgentChannel& agents, const ActionCatalog& catalog,
                           const OrderSigner& signer, OrderSettings settings, AuditLog* audit,
                           OutboxPlanner* outbox, Leadership* sweep_leadership)
    : store_(store),
      agents_(agents),
      signer_(signer),
      settings_(settings),
      machine_(settings),
      ledger_(store, audit, outbox),
      dispatcher_(store, agents, signer, ledger_, settings),
      reports_(store, ledger_, [this] { return this->catalog(); }),
      sweep_leadership_(sweep_leadership),
      sweeper_(
          PeriodicTaskOptions{"order expiry sweep", settings.sweep_interval, false, "order-sweep"},
          [this] {
            if (!leads(sweep_leadership_)) return;
            if (auto r = sweep(std::chrono::system_clock::now()); !r) {
              logs::orders().error("order expiry sweep: {}", r.error().message);
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
  logs::orders().info("action catalog replaced: {} actions, pushed to {} connected agents",
                      catalog()->all().size(), pushed);
  return {};
}

OrderService::~OrderService() { stop(); }

Result<Order> OrderService::request(const OrderRequest& request, const User& user, TimePoint now) {
  if (auto r = OrderStateMachine::may_act(user); !r) return tl::unexpected(r.error());
  const auto catalog = this->catalog();
  const auto* def = catalog->find(request.action_id);
  if (def == nullptr) {
    return fail(ErrorCode::kInvalid,
                "`action`: no action `" + request.action_id.substr(0, 64) + "` in the catalog");
  }
  if (auto r = machine_.may_request(user, *def); !r) return tl::unexpected(r.error());
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
  // The agent refuses an action of another platform anyway; saying so here spares the
  // technician an order that can only fail. A device that has not named its platform yet (an
  // agent older than the field) is left to the agent's own check.
  const auto& platform = (*device)->platform;
  if (!platform.empty() && platform != def->platform) {
    return fail(ErrorCode::kConflict, "`" + def->id + "` is a " + def->platform +
                                          " action and device " + device_id + " runs " + platform);
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
  order.state = OrderStateMachine::initial_state(*def);
  if (order.state == OrderState::kQueued) {
    if (auto r = dispatcher_.sign(order, *def, now); !r) return tl::unexpected(r.error());
  }
  auto data = order_event_data(order);
  data["title"] = def->title;
  data["definition_sha256"] = def->sha256;
  const std::vector<TicketEvent> events{
      order_event(order, now, user.name, "action_requested", std::move(data))};
  if (auto r = ledger_.insert(order, events, OrderActor::user(user.name, request.source), now);
      !r) {
    return tl::unexpected(r.error());
  }
  logs::orders().info("order {}: {} requested {} on device {} (ticket {}, {})", order.id, user.name,
                      order.action_id, device_id, order.ticket_id, order_state_name(order.state));
  if (order.state == OrderState::kQueued) dispatch(device_id);
  return ledger_.load(order.id);
}

Result<Order> OrderService::approve(const std::string& order_id, const User& user, TimePoint now,
                                    const std::string& source, const std::string& credential) {
  if (auto r = OrderStateMachine::may_act(user); !r) return tl::unexpected(r.error());
  auto order = ledger_.load(order_id);
  if (!order) return order;
  const auto catalog = this->catalog();
  const auto* def = catalog->find(order->action_id);
  auto move = machine_.approve(std::move(*order), user, def, credential, now);
  if (!move) return tl::unexpected(move.error());
  // Approved: signed now, with the definition the approver saw.
  if (auto r = dispatcher_.sign(move->order, *def, now); !r) return tl::unexpected(r.error());
  auto approved = ledger_.apply(*move, OrderActor::user(user.name, source), now);
  if (!approved) return approved;
  logs::orders().info("order {}: approved by {}", order_id, user.name);
  dispatch(approved->device_id);
  return ledger_.load(order_id);
}

Result<Order> OrderService::reject(const std::string& order_id, const User& user,
                                   const std::string& reason, TimePoint now,
                                   const std::string& source) {
  if (auto r = OrderStateMachine::may_act(user); !r) return tl::unexpected(r.error());
  auto order = ledger_.load(order_id);
  if (!order) return order;
  auto move = machine_.reject(std::move(*order), user, reason, now);
  if (!move) return tl::unexpected(move.error());
  logs::orders().info("order {}: rejected by {}", order_id, user.name);
  return ledger_.apply(*move, OrderActor::user(user.name, source), now);
}

Result<Order> OrderService::cancel(const std::string& order_id, const User& user,
                                   const std::string& reason, TimePoint now,
                                   const std::string& source) {
  auto order = ledger_.load(order_id);
  if (!order) return order;
  return cancel_loaded(std::move(*order), user, reason, now, source);
}

Result<Order> OrderService::cancel_loaded(Order order, const User& user, const std::string& reason,
                                          TimePoint now, const std::string& source) {
  auto move = machine_.cancel(order, user, reason, now);
  if (!move) return tl::unexpected(move.error());
  const bool to_agent = sent_or_running(order);
  if (to_agent && !order.cancel_requested_by.empty()) {
    dispatcher_.send_cancel(order);  // asked again: the device may not have heard the first time
    return order;
  }
  auto moved = ledger_.apply(*move, OrderActor::user(user.name, source), now);
  if (moved) {
    if (to_agent) {
      logs::orders().info("order {}: cancel requested by {}", moved->id, user.name);
      dispatcher_.send_cancel(*moved);
    }
    return moved;
  }
  if (moved.error().code != ErrorCode::kConflict) return moved;
  auto reloaded = ledger_.load(order.id);
  if (!to_agent) {
    // Sent meanwhile: it is now the agent's to stop.
    if (reloaded && sent_or_running(*reloaded)) {
      return cancel_loaded(std::move(*reloaded), user, reason, now, source);
    }
    return moved;
  }
  // It moved meanwhile (running, or finished): finished orders stay finished.
  if (!reloaded) return reloaded;
  if (!sent_or_running(*reloaded)) {
    return fail(ErrorCode::kConflict, "order " + reloaded->id + " is " +
                                          order_state_name(reloaded->state) +
                                          " already; a finished order stays as it ended");
  }
  return cancel_loaded(std::move(*reloaded), user, reason, now, source);
}

Result<OrderView> OrderService::get(const std::string& order_id) {
  auto order = ledger_.load(order_id);
  if (!order) return tl::unexpected(order.error());
  auto output = store_.read().orders().order_output(order_id);
  if (!output) return tl::unexpected(output.error());
  return OrderView{std::move(*order), std::move(*output)};
}

void OrderService::dispatch(const std::string& device_id) { dispatcher_.dispatch(device_id); }

Result<void> OrderService::record_update(const std::string& device_id,
                                         const v1::OrderUpdate& update) {
  return reports_.record_update(device_id, update);
}

Result<void> OrderService::record_output(const std::string& device_id,
                                         const v1::OrderOutput& output, TimePoint received_at) {
  return reports_.record_output(device_id, output, received_at);
}

Result<void> OrderService::record_result(const std::string& device_id,
                                         const v1::OrderResult& result) {
  return reports_.record_result(device_id, result);
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
    auto move = machine_.expire(std::move(order), now);
    if (!move) continue;
    if (auto r = ledger_.apply(*move, OrderActor::system(), now)) {
      ++expired;
      logs::orders().info("order {}: expired ({})", r->id, r->reason);
    }
  }
  return expired;
}

void OrderService::start() { sweeper_.start(); }

void OrderService::stop() { sweeper_.stop(); }

}  // namespace triage::collector
