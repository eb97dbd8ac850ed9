#include "collector/tickets/enrichment_service.hpp"

#include <algorithm>
#include <set>

#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "collector/findings/evaluate_findings.hpp"
#include "collector/findings/snapshot_diff.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/util/thread_name.hpp"
#include "shared/util/time_format.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

namespace {

// Stored reports were size-checked when received; this only guards against a damaged row.
constexpr std::size_t kMaxStoredReportBytes = 256 * 1024 * 1024;

Result<v1::Snapshot> snapshot_of(const StoredReport& report) {
  auto message = protocol::decode_agent_message(report.payload, kMaxStoredReportBytes);
  if (!message) return tl::unexpected(message.error());
  switch (message->body_case()) {
    case v1::AgentMessage::kSnapshot:
      return message->snapshot().snapshot();
    case v1::AgentMessage::kHelpRequest:
      if (message->help_request().has_snapshot()) return message->help_request().snapshot();
      return fail(ErrorCode::kNotFound, "the help request carries no diagnostics");
    default:
      return fail(ErrorCode::kInvalid,
                  "report " + std::to_string(report.seq) + " is not a snapshot");
  }
}

// Said of a stored state that stopped at a gap in the device's reports.
std::string stale_note(const std::optional<StoredReport>& report) {
  if (!report || report->kind != "stale_state") return "";
  return " (stale: later reports could not be applied; a full snapshot has been asked for)";
}

TimePoint snapshot_time(const v1::Snapshot& snapshot, TimePoint fallback) {
  if (snapshot.collected_at_unix_ms() <= 0) return fallback;
  return TimePoint(std::chrono::milliseconds(snapshot.collected_at_unix_ms()));
}

std::string file_safe(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  }
  return out.empty() ? "device" : out;
}

std::string finding_key(const nlohmann::json& f) {
  return f.value("rule", "") + "\x1f" + f.value("subject", "");
}

/// Which findings of the creation-time diagnostics cleared, which remain, which are new.
nlohmann::json compare_findings(const Enrichment& before, const nlohmann::json& now) {
  std::set<std::string> now_keys;
  for (const auto& f : now) now_keys.insert(finding_key(f));
  std::set<std::string> before_keys;
  nlohmann::json cleared = nlohmann::json::array();
  nlohmann::json remaining = nlohmann::json::array();
  nlohmann::json added = nlohmann::json::array();
  for (const auto& f : before.findings) {
    before_keys.insert(finding_key(f));
    (now_keys.count(finding_key(f)) ? remaining : cleared).push_back(f);
  }
  for (const auto& f : now) {
    if (!before_keys.count(finding_key(f))) added.push_back(f);
  }
  return {{"baseline_enrichment_id", before.id},
          {"baseline_snapshot_at", before.snapshot_at
                                       ? nlohmann::json(format_rfc3339(*before.snapshot_at))
                                       : nlohmann::json(nullptr)},
          {"cleared", cleared},
          {"remaining", remaining},
          {"new", added}};
}

}  // namespace

EnrichmentService::EnrichmentService(Store& store, AgentChannel& agents,
                                     EnrichmentSettings settings, OutboxPlanner* outbox)
    : store_(store),
      agents_(agents),
      settings_(settings),
      outbox_(outbox),
      work_(boost::asio::make_work_guard(io_)),
      thread_([this] {
        name_this_thread("enrichment");
        io_.run();
      }) {}

EnrichmentService::~EnrichmentService() { stop(); }

void EnrichmentService::stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    // Deferred fleet refreshes are dropped: the next start evaluates devices as they report.
    for (auto& [id, timer] : refresh_timers_) timer->cancel();
    // Nobody will answer now: settle what is waiting with stored diagnostics.
    std::vector<std::string> ids;
    for (auto& [id, request] : pending_) ids.push_back(id);
    for (const auto& id : ids) complete_request(id, std::nullopt);
  });
  work_.reset();
  thread_.join();
}

void EnrichmentService::enrich(std::int64_t ticket_id, const std::string& device_id,
                               const std::string& purpose) {
  boost::asio::post(io_, [this, ticket_id, device_id, purpose] {
    start_enrichment(ticket_id, device_id, purpose);
  });
}

void EnrichmentService::enrich_from_report(std::int64_t ticket_id, const std::string& device_id,
                                           std::uint64_t seq, const std::string& purpose) {
  boost::asio::post(io_, [this, ticket_id, device_id, seq, purpose] {
    auto report = store_.read().reports().find_report(device_id, seq);
    if (!report) {
      spdlog::error("ticket {}: reading report {} of {}: {}", ticket_id, seq, device_id,
                    report.error().message);
      return;
    }
    attach(device_id, {Waiter{ticket_id, purpose}}, *report, "fresh",
           "taken on the endpoint when the request was made");
  });
}

void EnrichmentService::start_enrichment(std::int64_t ticket_id, const std::string& device_id,
                                         const std::string& purpose) {
  // One request per device answers every ticket waiting on it.
  if (auto it = request_of_device_.find(device_id); it != request_of_device_.end()) {
    pending_[it->second].waiters.push_back(Waiter{ticket_id, purpose});
    return;
  }
  const std::string request_id = pki::random_uuid();
  v1::CollectorMessage message;
  auto* request = message.mutable_snapshot_request();
  request->set_request_id(request_id);
  request->set_reason("ticket " + std::to_string(ticket_id));
  // A request the session could not queue (it is ending) is waited for like any other: the
  // timeout falls back to the stored state.
  if (agents_.send(device_id, message) == Delivery::kOffline) {
    auto latest = current_state(device_id);
    if (!latest) {
      spdlog::error("ticket {}: reading diagnostics of {}: {}", ticket_id, device_id,
                    latest.error().message);
      return;
    }
    attach(device_id, {Waiter{ticket_id, purpose}}, *latest, "stored",
           "the device is offline; this is its newest state" + stale_note(*latest));
    return;
  }

  PendingRequest pending;
  pending.device_id = device_id;
  pending.waiters.push_back(Waiter{ticket_id, purpose});
  pending.asked = std::chrono::steady_clock::now();
  pending.timer = std::make_unique<boost::asio::steady_timer>(io_, settings_.fresh_timeout);
  pending.timer->async_wait([this, request_id](const boost::system::error_code& ec) {
    if (!ec) complete_request(request_id, std::nullopt);
  });
  request_of_device_[device_id] = request_id;
  pending_.emplace(request_id, std::move(pending));
}

void EnrichmentService::snapshot_committed(const std::string& /*device_id*/, std::uint64_t seq,
                                           const std::string& request_id) {
  if (!request_id.empty()) {
    boost::asio::post(io_, [this, request_id, seq] { complete_request(request_id, seq); });
  }
}

void EnrichmentService::state_changed(const std::string& device_id) {
  {
    std::lock_guard lock(refresh_mutex_);
    if (refresh_pending_.size() >= settings_.max_queued_evaluations) return;
    // Already queued: that refresh reads the newest state anyway.
    if (!refresh_pending_.insert(device_id).second) return;
  }
  boost::asio::post(io_, [this, device_id] { schedule_refresh(device_id); });
}

void EnrichmentService::schedule_refresh(const std::string& device_id) {
  const auto now = std::chrono::steady_clock::now();
  auto last = last_refresh_.find(device_id);
  if (last == last_refresh_.end() || now - last->second >= settings_.fleet_refresh_interval) {
    return run_refresh(device_id);
  }
  auto& timer = refresh_timers_[device_id];
  timer = std::make_unique<boost::asio::steady_timer>(
      io_, last->second + settings_.fleet_refresh_interval);
  timer->async_wait([this, device_id](const boost::system::error_code& ec) {
    if (ec) return;  // stopping
    refresh_timers_.erase(device_id);
    run_refresh(device_id);
  });
}

void EnrichmentService::run_refresh(const std::string& device_id) {
  due_refreshes_.push_back(device_id);
  if (refresh_batch_posted_) return;
  refresh_batch_posted_ = true;
  // Posted rather than run: the refreshes that come due meanwhile join this batch, and ticket
  // work already queued goes first.
  boost::asio::post(io_, [this] { refresh_due_batch(); });
}

void EnrichmentService::refresh_due_batch() {
  refresh_batch_posted_ = false;
  const std::size_t count =
      std::min(due_refreshes_.size(), std::max<std::size_t>(settings_.fleet_refresh_batch, 1));
  std::vector<std::string> devices(due_refreshes_.begin(), due_refreshes_.begin() + count);
  due_refreshes_.erase(due_refreshes_.begin(), due_refreshes_.begin() + count);
  if (!due_refreshes_.empty()) {
    refresh_batch_posted_ = true;
    boost::asio::post(io_, [this] { refresh_due_batch(); });
  }
  {
    // From here on a new state of these devices queues a new refresh.
    std::lock_guard lock(refresh_mutex_);
    for (const auto& id : devices) refresh_pending_.erase(id);
  }
  struct Evaluated {
    std::string device_id;
    std::vector<DeviceFinding> findings;
    TimePoint as_of;
  };
  std::vector<Evaluated> evaluated;
  evaluated.reserve(devices.size());
  const auto now = std::chrono::steady_clock::now();
  for (auto& id : devices) {
    last_refresh_[id] = now;
    Evaluated e{std::move(id), {}, {}};
    if (evaluate_fleet_findings(e.device_id, e.findings, e.as_of))
      evaluated.push_back(std::move(e));
  }
  if (evaluated.empty()) return;
  const auto replace = [](WriteTx& tx, const Evaluated& e) {
    return tx.problems().replace_device_findings(e.device_id, e.findings, e.as_of);
  };
  auto together = store_.write([&](WriteTx& tx) -> Result<void> {
    for (const auto& e : evaluated) {
      if (auto r = replace(tx, e); !r) return r;
    }
    return {};
  });
  if (together) return;
  // One device's failure must not cost the others their findings: each on its own.
  for (const auto& e : evaluated) {
    if (auto r = store_.write([&](WriteTx& tx) { return replace(tx, e); }); !r) {
      spdlog::warn("device {}: updating fleet findings: {}", e.device_id, r.error().message);
    }
  }
}

void EnrichmentService::complete_request(const std::string& request_id,
                                         std::optional<std::uint64_t> seq) {
  auto it = pending_.find(request_id);
  if (it == pending_.end()) return;  // answered already, or not ours
  PendingRequest request = std::move(it->second);
  pending_.erase(it);
  request_of_device_.erase(request.device_id);
  request.timer->cancel();

  if (seq) {
    auto report = store_.read().reports().find_report(request.device_id, *seq);
    if (report && *report) {
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - request.asked);
      attach(request.device_id, request.waiters, *report, "fresh",
             "taken on request; answered in " + std::to_string(waited.count()) + " ms");
      return;
    }
  }
  auto latest = current_state(request.device_id);
  if (!latest) {
    spdlog::error("reading diagnostics of {}: {}", request.device_id, latest.error().message);
    return;
  }
  attach(request.device_id, request.waiters, *latest, "stored",
         "the device did not send a fresh snapshot within " +
             std::to_string(settings_.fresh_timeout.count()) + " ms; this is its newest state" +
             stale_note(*latest));
}

void EnrichmentService::attach(const std::string& device_id, const std::vector<Waiter>& waiters,
                               const std::optional<StoredReport>& report, const std::string& source,
                               const std::string& note) {
  const auto now = std::chrono::system_clock::now();
  Enrichment base;
  base.device_id = device_id;
  base.source = source;
  base.note = note;
  base.created_at = now;
  std::optional<Attachment> attachment;

  std::optional<v1::Snapshot> snapshot;
  if (report) {
    if (auto decoded = snapshot_of(*report)) {
      snapshot = std::move(*decoded);
    } else {
      base.source = "none";
      base.note = "the stored report cannot be read: " + decoded.error().message;
    }
  } else {
    base.source = "none";
    base.note = "this device has not sent any diagnostics yet";
  }

  if (snapshot) {
    const TimePoint taken = snapshot_time(*snapshot, report->received_at);
    base.snapshot_at = taken;
    base.report_seq = report->seq;
    for (const auto& finding : evaluate_findings(*snapshot, taken)) {
      base.findings.push_back(to_json(finding));
    }
    auto older = store_.read().reports().snapshot_at_or_before(
        device_id, report->received_at - settings_.baseline_age);
    std::optional<v1::Snapshot> baseline;
    if (older && *older) {
      if (auto decoded = snapshot_of(**older)) baseline = std::move(*decoded);
    }
    if (baseline) {
      base.changes = to_json(diff_snapshots(*baseline, *snapshot));
      base.changes["baseline_at"] = format_rfc3339(snapshot_time(*baseline, (*older)->received_at));
    } else {
      base.changes = {{"baseline_at", nullptr},
                      {"note", "no snapshot of this device is a day older to compare with"}};
    }
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    std::string rendered;
    (void)google::protobuf::util::MessageToJsonString(*snapshot, &rendered, options);
    Attachment a;
    a.name = "diagnostics-" + file_safe(snapshot->system().hostname()) + "-" +
             format_rfc3339(taken) + ".json";
    a.content_type = "application/json";
    a.kind = "diagnostics";
    a.visibility = Visibility::kInternal;  // internal system details never go to requesters
    a.sha256 = pki::sha256_hex(rendered);
    a.size = static_cast<std::int64_t>(rendered.size());
    a.created_at = now;
    a.created_by = "device:" + device_id;
    a.content = std::move(rendered);
    attachment = std::move(a);
  }

  for (const auto& waiter : waiters) {
    Enrichment e = base;
    e.ticket_id = waiter.ticket_id;
    e.purpose = waiter.purpose;
    if (waiter.purpose == "verification") {
      auto earlier = store_.read().tickets().ticket_enrichments(waiter.ticket_id);
      if (earlier) {
        const Enrichment* first = nullptr;
        for (const auto& candidate : *earlier) {
          if (candidate.device_id == device_id && candidate.source != "none" &&
              candidate.purpose != "verification") {
            first = &candidate;
            break;
          }
        }
        if (first && snapshot) e.comparison = compare_findings(*first, e.findings);
      }
    }
    std::optional<Attachment> own;
    if (attachment) {
      own = *attachment;
      own->ticket_id = waiter.ticket_id;
    }
    TicketEvent event;
    event.at = now;
    event.actor = "system";
    event.kind = waiter.purpose == "verification" ? "verification" : "diagnostics";
    event.visibility = Visibility::kInternal;
    std::string worst = "none";
    for (const auto& f : e.findings) {
      auto s = f.value("severity", "");
      if (s == "critical" || (s == "warning" && worst != "critical") ||
          (s == "info" && worst == "none")) {
        worst = s;
      }
    }
    event.data = {
        {"device_id", device_id},   {"purpose", e.purpose},          {"source", e.source},
        {"note", e.note},           {"findings", e.findings.size()}, {"worst_severity", worst},
        {"reported_by", "endpoint"}};
    if (e.snapshot_at) {
      event.data["snapshot_at"] = format_rfc3339(*e.snapshot_at);
      event.data["age_seconds"] =
          std::chrono::duration_cast<std::chrono::seconds>(now - *e.snapshot_at).count();
    }
    if (!e.comparison.empty()) {
      event.data["cleared"] = e.comparison["cleared"].size();
      event.data["remaining"] = e.comparison["remaining"].size();
    }
    if (auto r = store_.write([&](WriteTx& tx) -> Result<void> {
          if (auto w = tx.tickets().insert_enrichment(e, own, event); !w) return w;
          // The event as stored: the repository adds the ids of what it stored.
          TicketEvent stored = event;
          stored.ticket_id = e.ticket_id;
          stored.data["enrichment_id"] = e.id;
          if (own) stored.data["attachment_id"] = e.attachment_id;
          return plan_outbox(outbox_, tx, {stored});
        });
        !r) {
      spdlog::error("ticket {}: attaching diagnostics of {}: {}", waiter.ticket_id, device_id,
                    r.error().message);
    } else {
      spdlog::info("ticket {}: {} diagnostics of {} attached ({}, {} findings)", waiter.ticket_id,
                   e.purpose, device_id, e.source, e.findings.size());
    }
  }
}

Result<std::optional<StoredReport>> EnrichmentService::current_state(const std::string& device_id) {
  auto state = store_.read().reports().device_state(device_id, /*with_snapshot=*/true);
  if (!state) return tl::unexpected(state.error());
  // Devices not heard from since the upgrade that added states: their newest full snapshot.
  if (!*state) return store_.read().reports().latest_snapshot(device_id);
  v1::AgentMessage message;
  message.set_seq((*state)->seq);
  if (!message.mutable_snapshot()->mutable_snapshot()->ParseFromString((*state)->snapshot)) {
    return fail("the stored state of device " + device_id + " is unreadable");
  }
  StoredReport report;
  report.device_id = device_id;
  report.seq = (*state)->seq;
  report.kind = (*state)->stale ? "stale_state" : "state";
  report.received_at = (*state)->as_of;
  report.payload = message.SerializeAsString();
  return std::optional<StoredReport>(std::move(report));
}

bool EnrichmentService::evaluate_fleet_findings(const std::string& device_id,
                                                std::vector<DeviceFinding>& out, TimePoint& as_of) {
  auto state = store_.read().reports().device_state(device_id, /*with_snapshot=*/true);
  if (!state || !*state) return false;
  // On an arena: the state's thousands of strings cost a pointer bump each, freed at once.
  google::protobuf::Arena arena;
  auto& snapshot = *google::protobuf::Arena::CreateMessage<v1::Snapshot>(&arena);
  if (!snapshot.ParseFromString((*state)->snapshot)) return false;
  const auto taken = snapshot_time(snapshot, (*state)->as_of);
  for (const auto& f : evaluate_findings(snapshot, taken)) {
    out.push_back(DeviceFinding{
        device_id, f.rule_id, f.subject, severity_name(f.severity), f.title, f.evidence, {}, {}});
  }
  as_of = (*state)->as_of;
  return true;
}

}  // namespace triage::collector
