// OrderService: what the agent reports about an order (progress, output, result). The agent
// is authenticated but its words are hostile input: texts are clipped, and an order of
// another device is never touched.
#include <spdlog/spdlog.h>

#include "collector/actions/order_service.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxReasonBytes = 500;
constexpr std::size_t kMaxExcerptBytes = 4096;
constexpr std::size_t kMaxOrderIdBytes = 64;

std::string clip(const std::string& text, std::size_t max) {
  return text.size() <= max ? text : text.substr(0, max);
}

/// The order `order_id` if it exists and belongs to `device_id`.
Result<std::optional<Order>> own_order(Store& store, const std::string& device_id,
                                       const std::string& order_id) {
  if (order_id.empty() || order_id.size() > kMaxOrderIdBytes) return std::optional<Order>();
  auto order = store.find_order(order_id);
  if (!order) return tl::unexpected(order.error());
  if (!*order || (*order)->device_id != device_id) {
    spdlog::warn("device {} reported on order {} it was not sent; ignored", device_id,
                 clip(order_id, kMaxOrderIdBytes));
    return std::optional<Order>();
  }
  return order;
}

TimePoint now() { return std::chrono::system_clock::now(); }

}  // namespace

Result<void> OrderService::record_update(const std::string& device_id,
                                         const v1::OrderUpdate& update) {
  if (update.state() != v1::RUNNING) return {};  // refusals come as results, through the spool
  auto order = own_order(store_, device_id, update.order_id());
  if (!order) return tl::unexpected(order.error());
  if (!*order) return {};
  Order running = std::move(**order);
  running.state = OrderState::kRunning;
  running.updated_at = now();
  if (auto r = store_.update_order(running, {OrderState::kSent, OrderState::kExpired}, {}); !r) {
    return tl::unexpected(r.error());
  }
  return {};
}

Result<void> OrderService::record_output(const std::string& device_id,
                                         const v1::OrderOutput& output) {
  auto order = own_order(store_, device_id, output.order_id());
  if (!order) return tl::unexpected(order.error());
  if (!*order || order_state_final((*order)->state)) return {};
  OrderOutputChunk chunk;
  chunk.index = output.chunk_index();
  chunk.stream = output.stream() == v1::OrderOutput::STDERR ? "stderr" : "stdout";
  chunk.data = output.data();
  // Each stream is capped by the agent; the collector holds it to both together.
  auto stored = store_.append_order_output((*order)->id, chunk, 2 * (*order)->output_cap_bytes);
  if (!stored) return tl::unexpected(stored.error());
  return {};
}

Result<void> OrderService::record_result(const std::string& device_id,
                                         const v1::OrderResult& result) {
  auto loaded = own_order(store_, device_id, result.order_id());
  if (!loaded) return tl::unexpected(loaded.error());
  if (!*loaded) return {};
  Order order = std::move(**loaded);
  const OrderState loaded_state = order.state;
  if (order.state == OrderState::kSucceeded || order.state == OrderState::kFailed ||
      order.state == OrderState::kRefused) {
    return {};  // a resent result: recorded already
  }
  if (result.state() == v1::REFUSED && order.state == OrderState::kRunning) {
    // The agent accepted this order and runs it; a refusal now is of a replayed copy.
    spdlog::warn("device {}: refusal of running order {} ignored: {}", device_id, order.id,
                 clip(result.reason(), kMaxReasonBytes));
    return {};
  }
  const auto at = now();
  const bool exited_zero =
      !result.timed_out() && result.term_signal() == 0 && result.exit_code() == 0;
  std::string kind = "action_run";
  switch (result.state()) {
    case v1::SUCCEEDED:
      order.state = exited_zero ? OrderState::kSucceeded : OrderState::kFailed;
      break;
    case v1::REFUSED:
      order.state = OrderState::kRefused;
      kind = "action_refused";
      break;
    default:
      order.state = OrderState::kFailed;
      break;
  }
  order.reason = clip(result.reason(), kMaxReasonBytes);
  order.finished_at = at;
  order.updated_at = at;
  nlohmann::json outcome = {{"duration_ms", result.duration_ms()},
                            {"output_truncated", result.output_truncated()}};
  if (order.state != OrderState::kRefused) {
    outcome["exit_code"] = result.exit_code();
    outcome["term_signal"] = result.term_signal();
    outcome["timed_out"] = result.timed_out();
  }
  if (result.has_post_check() && result.post_check().ran()) {
    outcome["post_check"] = {{"passed", result.post_check().passed()},
                             {"exit_code", result.post_check().exit_code()},
                             {"output", clip(result.post_check().output(), kMaxExcerptBytes)}};
  }
  order.result = outcome;

  auto data = order_event_data(order);
  for (auto& [k, v] : outcome.items()) data[k] = v;
  if (!order.reason.empty()) data["reason"] = order.reason;
  data["output_excerpt"] = clip(result.output_excerpt(), kMaxExcerptBytes);
  TicketEvent run;
  run.ticket_id = order.ticket_id;
  run.at = at;
  run.actor = "device:" + device_id;
  run.kind = kind;
  run.visibility = Visibility::kInternal;
  run.data = std::move(data);
  std::vector<TicketEvent> events{run};
  if (order.state != OrderState::kRefused) {
    // Time spent is the requester's: at least a minute per action run.
    const auto minutes = std::max<std::int64_t>(
        1, static_cast<std::int64_t>((result.duration_ms() + 59'999) / 60'000));
    TicketEvent time;
    time.ticket_id = order.ticket_id;
    time.at = at;
    time.actor = order.requested_by;
    time.kind = "time_entry";
    time.visibility = Visibility::kInternal;
    time.data = {{"minutes", minutes},
                 {"note", "action " + order.action_id + " (order " + order.id + ")"}};
    events.push_back(std::move(time));
  }
  auto updated =
      commit(order, {OrderState::kSent, OrderState::kRunning, OrderState::kExpired}, events,
             order_state_name(order.state), OrderActor::device(device_id), at, loaded_state);
  if (!updated) return tl::unexpected(updated.error());
  spdlog::info("order {}: {} on device {}{}", order.id, order_state_name(order.state), device_id,
               order.reason.empty() ? "" : " (" + order.reason + ")");
  return {};
}

}  // namespace triage::collector
