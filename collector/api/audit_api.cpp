#include "collector/api/audit_api.hpp"

#include <algorithm>
#include <limits>

#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxFilterText = 256;

nlohmann::json record_json(const AuditRecord& r) {
  auto details = nlohmann::json::parse(r.details, nullptr, /*allow_exceptions=*/false);
  if (details.is_discarded()) details = r.details;
  return {
      {"seq", r.seq},       {"at", format_rfc3339(TimePoint(std::chrono::milliseconds(r.at_ms)))},
      {"actor", r.actor},   {"actor_kind", r.actor_kind},
      {"source", r.source}, {"type", r.type},
      {"target", r.target}, {"outcome", r.outcome},
      {"details", details}, {"prev_hash", r.prev_hash},
      {"hash", r.hash}};
}

// RFC 4180 quoting; a cell that a spreadsheet would run as a formula gets a leading quote,
// because actors, targets and details can carry text chosen by an attacker.
std::string csv_cell(const std::string& text) {
  std::string cell = text;
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r')) {
    cell.insert(cell.begin(), '\'');
  }
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_row(const AuditRecord& r) {
  const std::string cells[] = {std::to_string(r.seq),
                               format_rfc3339(TimePoint(std::chrono::milliseconds(r.at_ms))),
                               r.actor,
                               r.actor_kind,
                               r.source,
                               r.type,
                               r.target,
                               r.outcome,
                               r.details,
                               r.prev_hash,
                               r.hash};
  std::string out;
  for (const auto& cell : cells) {
    if (!out.empty()) out += ',';
    out += csv_cell(cell);
  }
  return out + "\r\n";
}

Result<std::optional<TimePoint>> time_param(const QueryParams& query, const std::string& name) {
  auto text = query.text(name);
  if (text.empty()) return std::optional<TimePoint>();
  auto t = parse_rfc3339(text);
  if (!t) {
    return fail(ErrorCode::kInvalid,
                "`" + name + "` must be an RFC 3339 time such as 2026-11-23T09:05:00Z");
  }
  return std::optional<TimePoint>(*t);
}

Result<std::string> text_param(const QueryParams& query, const std::string& name) {
  auto text = query.text(name);
  if (text.size() > kMaxFilterText) {
    return fail(ErrorCode::kInvalid, "`" + name + "` is longer than 256 characters");
  }
  return text;
}

Result<std::string> type_prefix_param(const QueryParams& query) {
  auto prefix = query.text("type");
  if (prefix.size() > 64 || !std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
      })) {
    return fail(ErrorCode::kInvalid,
                "`type` must be an event type prefix such as auth. or "
                "device.revoked (a-z, 0-9, _ and .)");
  }
  return prefix;
}

Result<std::string> format_param(const QueryParams& query) {
  const auto format = query.text("format").empty() ? std::string("json") : query.text("format");
  if (format != "json" && format != "ndjson" && format != "csv") {
    return fail(ErrorCode::kInvalid, "`format` must be json, ndjson or csv");
  }
  return format;
}

HttpResponse text_response(std::string content_type, std::string body,
                           const std::optional<std::uint64_t>& next_before) {
  HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  if (next_before) res.set("X-Next-Before", std::to_string(*next_before));
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace

AuditEvent request_audit_event(const ApiRequest& request, std::string type, std::string target) {
  AuditEvent e;
  e.at = std::chrono::system_clock::now();
  if (request.user) {
    e.actor = request.user->name;
    e.actor_kind = AuditActorKind::kUser;
  } else {
    e.actor = "anonymous";
    e.actor_kind = AuditActorKind::kAnonymous;
  }
  e.source = request.peer.remote_address;
  e.type = std::move(type);
  e.target = std::move(target);
  if (request.auth && request.auth->kind == AuthKind::kApiToken) {
    e.details["api_token"] = request.auth->token_id;
  }
  return e;
}

ApiResult handle_list_audit(ApiServices& services, ApiRequest& request) {
  QueryParams query(request.query);
  AuditFilter filter;
  FieldErrors errors;
  filter.since = errors.take(time_param(query, "since"));
  filter.until = errors.take(time_param(query, "until"));
  filter.type_prefix = errors.take(type_prefix_param(query));
  filter.actor = errors.take(text_param(query, "actor"));
  filter.target = errors.take(text_param(query, "target"));
  const auto format = errors.take(format_param(query));
  // Exports page too, in bigger pages: the response is built in memory.
  const bool exporting = format != "json";
  auto limit =
      errors.take(query.integer("limit", exporting ? 1000 : 100, 1, exporting ? 10000 : 1000));
  auto before = errors.take(query.integer("before", 0, 1, std::numeric_limits<long>::max()));
  if (errors.first) return tl::unexpected(*errors.first);
  filter.limit = static_cast<int>(limit);
  if (before > 0) filter.before_seq = static_cast<std::uint64_t>(before);

  auto page = services.store.read().audit().list_audit(filter);
  if (!page) return tl::unexpected(page.error());
  std::optional<std::uint64_t> next_before;
  if (page->more && !page->items.empty()) next_before = page->items.back().seq;

  if (format == "ndjson") {
    std::string body;
    for (const auto& r : page->items) {
      body += record_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      body += '\n';
    }
    return text_response("application/x-ndjson", std::move(body), next_before);
  }
  if (format == "csv") {
    std::string body =
        "seq,at,actor,actor_kind,source,type,target,outcome,details,prev_hash,hash\r\n";
    for (const auto& r : page->items) body += csv_row(r);
    return text_response("text/csv; charset=utf-8", std::move(body), next_before);
  }
  auto items = nlohmann::json::array();
  for (const auto& r : page->items) items.push_back(record_json(r));
  return json_response(http::status::ok, {{"events", items},
                                          {"next_before", next_before ? nlohmann::json(*next_before)
                                                                      : nlohmann::json(nullptr)}});
}

}  // namespace triage::collector
