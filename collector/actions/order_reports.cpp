#include "collector/actions/order_reports.hpp"

#include <algorithm>

#include "shared/pki/secrets.hpp"
#include "shared/util/log_levels.hpp"

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
  auto order = store.read().orders().find_order(order_id);
  if (!order) return tl::unexpected(order.error());
  if (!*order || (*order)->device_id != device_id) {
    logs::orders().warn("device {} reported on order {} it was not sent; ignored", device_id,
                        clip(order_id, kMaxOrderIdBytes));
    return std::optional<Order>();
  }
  return order;
}

TimePoint now() { return std::chrono::system_clock::now(); }

/// Stdout and stderr of an order, each in chunk order.
std::pair<std::string, std::string> join_streams(std::vector<OrderOutputChunk> chunks) {
  std::sort(chunks.begin(), chunks.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  std::pair<std::string, std::string> out;
  for (const auto& c : chunks) (c.stream == "stderr" ? out.second : out.first) += c.data;
  return out;
}

/// The attachment holding an action's stdout, if the stored chunks are exactly what the agent
/// produced (size and SHA-256 from its result); streamed chunks are lost with a connection.
Result<Attachment> stdout_file(const ActionDefinition& def, const Order& order,
                               const v1::OrderResult& result, std::string content, TimePoint at) {
  if (result.output_truncated()) {
    return fail("the action's file output was cut at the output cap; nothing was filed");
  }
  if (content.size() != result.stdout_bytes() ||
      pki::sha256_raw(content) != result.stdout_sha256()) {
    return fail("the action's file output arrived incomplete (" + std::to_string(content.size()) +
                " of " + std::to_string(result.stdout_bytes()) +
                " bytes; the connection may have dropped); order it again");
  }
  Attachment a;
  a.ticket_id = order.ticket_id;
  a.name = def.stdout_attachment->name;
  a.content_type = def.stdout_attachment->content_type;
  a.kind = "action_output";
  a.visibility = Visibility::kInternal;
  a.sha256 = pki::sha256_hex(content);
  a.size = static_cast<std::int64_t>(content.size());
  a.created_at = at;
  a.created_by = "device:" + order.device_id;
  a.content = std::move(content);
  return a;
}

/// How the action itself ended, one fact: "exit 0", "exit 2", "killed by signal 9",
/// "timed out", "cancelled", "not started".
std::string ran_fact(const v1::OrderResult& r) {
  if (r.state() == v1::REFUSED) return "not started";
  if (r.state() == v1::CANCELLED && r.duration_ms() == 0 && r.exit_code() == -1 &&
      r.term_signal() == 0) {
    return "not started";
  }
  if (r.state() == v1::CANCELLED) return "cancelled";
  if (r.timed_out()) return "timed out";
  if (r.term_signal() != 0) return "killed by signal " + std::to_string(r.term_signal());
  if (r.exit_code() < 0) return "not started";
  return "exit " + std::to_string(r.exit_code());
}

/// Whether the action fixed the problem, the other fact: its post-check "passed", "failed",
/// or "not run" (no post-check, or the action did not succeed).
std::string fixed_fact(const v1::OrderResult& r) {
  if (!r.has_post_check() || !r.post_check().ran()) return "not run";
  return r.post_check().passed() ? "passed" : "failed";
}

}  // namespace

OrderReports::OrderReports(Store& store, OrderLedger& ledger, CatalogSource catalog)
    : store_(store), ledger_(ledger), catalog_(std::move(catalog)) {}

Result<void> OrderReports::record_update(const std::string& device_id,
                                         const v1::OrderUpdate& update) {
  if (update.state() != v1::RUNNING) return {};  // refusals come as results, through the spool
  auto order = own_order(store_, device_id, update.order_id());
  if (!order) return tl::unexpected(order.error());
  if (!*order) return {};
  Order running = std::move(**order);
  running.state = OrderState::kRunning;
  running.updated_at = now();
  if (auto r = store_.write([&](WriteTx& tx) {
        return tx.orders().update_order(running, {OrderState::kSent, OrderState::kExpired}, {});
      });
      !r) {
    return tl::unexpected(r.error());
  }
  return {};
}

Result<void> OrderReports::record_output(const std::string& device_id,
                                         const v1::OrderOutput& output, TimePoint received_at) {
  auto order = own_order(store_, device_id, output.order_id());
  if (!order) return tl::unexpected(order.error());
  if (!*order || order_state_final((*order)->state)) return {};
  OrderOutputChunk chunk;
  chunk.index = output.chunk_index();
  chunk.stream = output.stream() == v1::OrderOutput::STDERR ? "stderr" : "stdout";
  chunk.data = output.data();
  chunk.received_at = received_at;
  // Each stream is capped by the agent; the collector holds it to both together.
  auto stored = store_.write([&](WriteTx& tx) {
    return tx.orders().append_order_output((*order)->id, chunk, 2 * (*order)->output_cap_bytes);
  });
  if (!stored) return tl::unexpected(stored.error());
  return {};
}

Result<void> OrderReports::record_result(const std::string& device_id,
                                         const v1::OrderResult& result) {
  auto loaded = own_order(store_, device_id, result.order_id());
  if (!loaded) return tl::unexpected(loaded.error());
  if (!*loaded) return {};
  Order order = std::move(**loaded);
  const OrderState loaded_state = order.state;
  if (order.state == OrderState::kSucceeded || order.state == OrderState::kFailed ||
      order.state == OrderState::kRefused || order.state == OrderState::kCancelled) {
    return {};  // a resent result: recorded already
  }
  if (result.state() == v1::CANCELLED && order.cancel_requested_by.empty()) {
    // Only staff cancel orders; an agent claiming otherwise is reporting a failure.
    logs::orders().warn("device {}: order {} reported cancelled without a cancel request",
                        device_id, order.id);
  }
  if (result.state() == v1::REFUSED && order.state == OrderState::kRunning) {
    // The agent accepted this order and runs it; a refusal now is of a replayed copy.
    logs::orders().warn("device {}: refusal of running order {} ignored: {}", device_id, order.id,
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
    case v1::CANCELLED:
      if (order.cancel_requested_by.empty()) {
        order.state = OrderState::kFailed;
      } else {
        order.state = OrderState::kCancelled;
        kind = "action_cancelled";
      }
      break;
    default:
      order.state = OrderState::kFailed;
      break;
  }
  order.reason = clip(result.reason(), kMaxReasonBytes);
  if (order.state == OrderState::kCancelled) {
    order.reason = "cancelled by " + order.cancel_requested_by +
                   (order.cancel_reason.empty() ? "" : ": " + clip(order.cancel_reason, 200)) +
                   (order.reason.empty() ? "" : " (" + order.reason + ")");
  }
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
  outcome["ran"] = ran_fact(result);
  outcome["fixed"] = fixed_fact(result);

  // An action whose stdout is a file: filed as an attachment once it is known complete.
  std::optional<Attachment> attachment;
  std::string excerpt = clip(result.output_excerpt(), kMaxExcerptBytes);
  const auto catalog = catalog_();  // held: an admin may replace it meanwhile
  const auto* def = catalog->find(order.action_id);
  if (def != nullptr && def->stdout_attachment) {
    auto chunks = store_.read().orders().order_output(order.id);
    if (!chunks) return tl::unexpected(chunks.error());
    auto streams = join_streams(*chunks);
    excerpt = clip(streams.second, kMaxExcerptBytes);  // stdout is binary: stderr only
    if (order.state == OrderState::kSucceeded) {
      auto file = stdout_file(*def, order, result, std::move(streams.first), at);
      if (file) {
        outcome["attachment"] = {{"name", file->name},
                                 {"size", file->size},
                                 {"sha256", file->sha256},
                                 {"content_type", file->content_type}};
        attachment = std::move(*file);
      } else {
        order.state = OrderState::kFailed;
        order.reason = file.error().message;
      }
    }
  }
  order.result = outcome;

  auto data = order_event_data(order);
  for (auto& [k, v] : outcome.items()) data[k] = v;
  if (!order.reason.empty()) data["reason"] = order.reason;
  if (order.state == OrderState::kCancelled) data["cancelled_by"] = order.cancel_requested_by;
  data["output_excerpt"] = excerpt;
  TicketEvent run;
  run.ticket_id = order.ticket_id;
  run.at = at;
  run.actor = "device:" + device_id;
  run.kind = kind;
  run.visibility = Visibility::kInternal;
  run.data = std::move(data);
  std::vector<TicketEvent> events{run};
  if (order.state != OrderState::kRefused && outcome["ran"] != "not started") {
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
      ledger_.commit(order, {OrderState::kSent, OrderState::kRunning, OrderState::kExpired}, events,
                     order_state_name(order.state), OrderActor::device(device_id), at, loaded_state,
                     attachment ? &*attachment : nullptr);
  if (!updated) return tl::unexpected(updated.error());
  logs::orders().info("order {}: {} on device {}{}", order.id, order_state_name(order.state),
                      device_id, order.reason.empty() ? "" : " (" + order.reason + ")");
  return {};
}

}  // namespace triage::collector
