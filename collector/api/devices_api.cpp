#include "collector/api/devices_api.hpp"

#include <algorithm>
#include <cctype>

#include <google/protobuf/util/json_util.h>

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"
#include "shared/util/time_format.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

namespace {

// `where`: the device's live session (AgentChannel::locate), nothing when offline.
nlohmann::json device_json(const Device& d, const std::optional<AgentLocation>& where) {
  nlohmann::json j = {{"id", d.id},
                      {"hostname", d.hostname},
                      {"online", where.has_value()},
                      {"node", where ? nlohmann::json(where->node) : nlohmann::json(nullptr)},
                      {"enrolled_at", format_rfc3339(d.enrolled_at)},
                      {"last_seen", d.last_seen ? nlohmann::json(format_rfc3339(*d.last_seen))
                                                : nlohmann::json(nullptr)},
                      {"revoked", d.revoked_at.has_value()},
                      {"agent_version", d.agent_version},
                      {"os", d.os_pretty_name},
                      {"kernel", d.kernel},
                      {"arch", d.arch},
                      {"platform", d.platform},
                      {"owner", d.owner},
                      {"tags", d.tags}};
  if (d.revoked_at) j["revoked_at"] = format_rfc3339(*d.revoked_at);
  return j;
}

constexpr std::size_t kMaxTags = 32;
constexpr std::size_t kMaxTagBytes = 64;
constexpr std::size_t kMaxOwnerBytes = 254;  // the longest valid email address

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Tags are compared case-insensitively and joined with ',' in storage: a small alphabet
// keeps them safe in URLs, CSV exports and shell scripts.
Result<std::vector<std::string>> normalize_tags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& raw : tags) {
    std::string tag = lower(raw);
    if (tag.empty() || tag.size() > kMaxTagBytes) {
      return fail(ErrorCode::kInvalid, "a tag must have 1 to 64 characters");
    }
    for (char c : tag) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
          c != ':' && c != '=' && c != '/') {
        return fail(ErrorCode::kInvalid,
                    "tag `" + tag + "`: use letters, digits and - _ . : = / only");
      }
    }
    out.push_back(std::move(tag));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::string> normalize_owner(const std::string& owner) {
  if (owner.size() > kMaxOwnerBytes) {
    return fail(ErrorCode::kInvalid, "`owner` must have at most 254 characters");
  }
  for (char c : owner) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return fail(ErrorCode::kInvalid, "`owner` must not contain control characters");
    }
  }
  return owner;
}

Result<Device> find_or_404(ApiServices& services, const std::string& id) {
  auto device = services.store.read().devices().find_device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kNotFound, "no device " + id);
  return **device;
}

}  // namespace

ApiResult handle_list_devices(ApiServices& services, ApiRequest& request) {
  // Filters: q (substring of hostname or id, case-insensitive), online (true/false),
  // revoked (true/false), tag (has every listed tag), owner (exact, case-insensitive);
  // paging: limit (1-1000, default 100), offset.
  QueryParams query(request.query);
  FieldErrors errors;
  const auto online = errors.take(query.flag("online"));
  const auto revoked = errors.take(query.flag("revoked"));
  const auto limit = errors.take(query.integer("limit", 100, 1, 1000));
  const auto offset = errors.take(query.integer("offset", 0, 0, 100'000'000));
  if (errors.first) return tl::unexpected(*errors.first);
  const std::string needle = lower(query.text("q"));
  std::vector<std::string> wanted_tags;
  for (const auto& tag : query.list("tag")) wanted_tags.push_back(lower(tag));
  const std::string owner = lower(query.text("owner"));

  auto devices = services.store.read().devices().list_devices();
  if (!devices) return tl::unexpected(devices.error());
  std::vector<std::string> ids;
  ids.reserve(devices->size());
  for (const auto& d : *devices) ids.push_back(d.id);
  const auto located = services.agents.locate_each(ids);
  auto items = nlohmann::json::array();
  std::size_t matched = 0;
  for (std::size_t i = 0; i < devices->size(); ++i) {
    const auto& d = (*devices)[i];
    const auto& where = located[i];
    if (online && *online != where.has_value()) continue;
    if (revoked && *revoked != d.revoked_at.has_value()) continue;
    if (!needle.empty() && lower(d.hostname).find(needle) == std::string::npos &&
        d.id.find(needle) == std::string::npos) {
      continue;
    }
    if (!owner.empty() && lower(d.owner) != owner) continue;
    const bool has_tags = std::all_of(wanted_tags.begin(), wanted_tags.end(), [&](const auto& t) {
      return std::binary_search(d.tags.begin(), d.tags.end(), t);
    });
    if (!has_tags) continue;
    if (matched++ < static_cast<std::size_t>(offset)) continue;
    if (items.size() < static_cast<std::size_t>(limit)) items.push_back(device_json(d, where));
  }
  return json_response(
      http::status::ok,
      {{"devices", items}, {"total", matched}, {"limit", limit}, {"offset", offset}});
}

ApiResult handle_get_device(ApiServices& services, ApiRequest& request) {
  return find_or_404(services, request.path_params["id"]).transform([&](const Device& device) {
    return json_response(http::status::ok, device_json(device, services.agents.locate(device.id)));
  });
}

ApiResult handle_latest_snapshot(ApiServices& services, ApiRequest& request) {
  auto device = find_or_404(services, request.path_params["id"]);
  if (!device) return tl::unexpected(device.error());
  auto state = services.store.read().reports().device_state(device->id, /*with_snapshot=*/true);
  if (!state) return tl::unexpected(state.error());
  if (!*state) {
    // Not heard from since the upgrade that added states: its newest full snapshot, stale.
    auto stored = services.store.read().reports().latest_snapshot(device->id);
    if (!stored) return tl::unexpected(stored.error());
    v1::AgentMessage message;
    if (!*stored || !message.ParseFromString((*stored)->payload) || !message.has_snapshot()) {
      return fail(ErrorCode::kNotFound, "no snapshot received from this device yet");
    }
    *state = DeviceState{device->id,
                         (*stored)->seq,
                         (*stored)->seq,
                         (*stored)->received_at,
                         true,
                         0,
                         message.snapshot().snapshot().SerializeAsString()};
  }
  const DeviceState& s = **state;
  v1::Snapshot snapshot;
  if (!snapshot.ParseFromString(s.snapshot)) {
    return refuse(http::status::internal_server_error, "internal",
                  "stored device state is unreadable");
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(snapshot, &json, options);
  auto age =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - s.as_of);
  nlohmann::json body = {{"device_id", device->id},
                         {"seq", s.seq},
                         {"base_seq", s.base_seq},
                         {"as_of", format_rfc3339(s.as_of)},
                         {"received_at", format_rfc3339(s.as_of)},
                         {"age_seconds", age.count()},
                         {"stale", s.stale},
                         {"reported_by", "endpoint"},
                         {"source", "reported by the endpoint"},
                         {"snapshot", nlohmann::json::parse(json, nullptr, false)}};
  if (s.stale && s.gap_seq != 0) body["gap_seq"] = s.gap_seq;
  return json_response(http::status::ok, body);
}

ApiResult handle_update_device(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http, {"owner", "tags"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto owner = errors.take(optional_string(*body, "owner"));
  auto tags = errors.take(optional_string_list(*body, "tags", kMaxTags));
  if (errors.first) return tl::unexpected(*errors.first);
  DeviceUpdate update;
  if (owner) {
    auto normalized = normalize_owner(*owner);
    if (!normalized) return tl::unexpected(normalized.error());
    update.owner = std::move(*normalized);
  }
  if (tags) {
    auto normalized = normalize_tags(*tags);
    if (!normalized) return tl::unexpected(normalized.error());
    update.tags = std::move(*normalized);
  }
  const auto& id = request.path_params["id"];
  auto before = services.store.read().devices().find_device(id);
  if (!before) return tl::unexpected(before.error());
  if (!*before) return fail(ErrorCode::kNotFound, "no such device");
  // Owner and tags decide who a device belongs to and which policies group it: the change
  // commits only together with its audit record.
  Result<Device> updated = fail("not updated");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    updated = tx.devices().update_device(id, update);
    if (!updated) return tl::unexpected(updated.error());
    auto event = request_audit_event(request, "device.updated", "device:" + id);
    auto changed = nlohmann::json::array();
    if (update.owner) {
      changed.push_back("owner");
      event.details["owner"] = {{"from", (*before)->owner}, {"to", updated->owner}};
    }
    if (update.tags) {
      changed.push_back("tags");
      event.details["tags"] = {{"from", (*before)->tags}, {"to", updated->tags}};
    }
    event.details["changed"] = changed;
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("device {} updated by {}: owner {}, tags {}", log_safe(id),
                   request.user ? request.user->name : "?", update.owner ? "set" : "kept",
                   update.tags ? "set" : "kept");
  return json_response(http::status::ok,
                       device_json(*updated, services.agents.locate(updated->id)));
}

ApiResult handle_revoke_device(ApiServices& services, ApiRequest& request) {
  const auto& id = request.path_params["id"];
  auto revoked = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.devices().revoke_device(id, std::chrono::system_clock::now()); !r) {
      return tl::unexpected(r.error());
    }
    return request_audit_event(request, "device.revoked", "device:" + id);
  });
  if (!revoked) return tl::unexpected(revoked.error());
  services.agents.disconnect(id, transport::CloseCode::kRevoked, "device revoked");
  logs::api().warn("device {} revoked by {}", log_safe(id),
                   request.user ? request.user->name : "?");
  return find_or_404(services, id).transform([](const Device& device) {
    return json_response(http::status::ok, device_json(device, std::nullopt));
  });
}

}  // namespace triage::collector
