#include "collector/api/devices_api.hpp"

#include <cctype>

#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

#include "collector/api/audit_api.hpp"
#include "collector/api/query_params.hpp"
#include "shared/util/time_format.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

namespace {

nlohmann::json device_json(const Device& d, bool online) {
  nlohmann::json j = {{"id", d.id},
                      {"hostname", d.hostname},
                      {"online", online},
                      {"enrolled_at", format_rfc3339(d.enrolled_at)},
                      {"last_seen", d.last_seen ? nlohmann::json(format_rfc3339(*d.last_seen))
                                                : nlohmann::json(nullptr)},
                      {"revoked", d.revoked_at.has_value()},
                      {"agent_version", d.agent_version},
                      {"os", d.os_pretty_name},
                      {"kernel", d.kernel},
                      {"arch", d.arch}};
  if (d.revoked_at) j["revoked_at"] = format_rfc3339(*d.revoked_at);
  return j;
}

Result<Device> find_or_404(ApiServices& services, const std::string& id) {
  auto device = services.store.find_device(id);
  if (!device) return tl::unexpected(device.error());
  if (!*device) return fail(ErrorCode::kNotFound, "no device " + id);
  return **device;
}

}  // namespace

HttpResponse handle_list_devices(ApiServices& services, ApiRequest& request) {
  // Filters: q (substring of hostname or id, case-insensitive), online (true/false),
  // revoked (true/false); paging: limit (1-1000, default 100), offset.
  QueryParams query(request.query);
  auto online = query.flag("online");
  auto revoked = query.flag("revoked");
  auto limit = query.integer("limit", 100, 1, 1000);
  auto offset = query.integer("offset", 0, 0, 100'000'000);
  for (const Error* e : {online ? nullptr : &online.error(), revoked ? nullptr : &revoked.error(),
                         limit ? nullptr : &limit.error(), offset ? nullptr : &offset.error()}) {
    if (e) return error_response(*e);
  }
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string needle = lower(query.text("q"));

  auto devices = services.store.list_devices();
  if (!devices) return error_response(devices.error());
  auto items = nlohmann::json::array();
  std::size_t matched = 0;
  for (const auto& d : *devices) {
    const bool is_online = services.registry.is_online(d.id);
    if (*online && **online != is_online) continue;
    if (*revoked && **revoked != d.revoked_at.has_value()) continue;
    if (!needle.empty() && lower(d.hostname).find(needle) == std::string::npos &&
        d.id.find(needle) == std::string::npos) {
      continue;
    }
    if (matched++ < static_cast<std::size_t>(*offset)) continue;
    if (items.size() < static_cast<std::size_t>(*limit)) items.push_back(device_json(d, is_online));
  }
  return json_response(
      http::status::ok,
      {{"devices", items}, {"total", matched}, {"limit", *limit}, {"offset", *offset}});
}

HttpResponse handle_get_device(ApiServices& services, ApiRequest& request) {
  auto device = find_or_404(services, request.path_params["id"]);
  if (!device) return error_response(device.error());
  return json_response(http::status::ok,
                       device_json(*device, services.registry.is_online(device->id)));
}

HttpResponse handle_latest_snapshot(ApiServices& services, ApiRequest& request) {
  auto device = find_or_404(services, request.path_params["id"]);
  if (!device) return error_response(device.error());
  auto stored = services.store.latest_snapshot(device->id);
  if (!stored) return error_response(stored.error());
  if (!*stored) {
    return error_response(http::status::not_found, "not_found",
                          "no snapshot received from this device yet");
  }
  v1::AgentMessage message;
  if (!message.ParseFromString((*stored)->payload)) {
    return error_response(http::status::internal_server_error, "internal",
                          "stored snapshot is unreadable");
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message.snapshot().snapshot(), &json, options);
  auto age = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                              (*stored)->received_at);
  return json_response(http::status::ok,
                       {{"device_id", device->id},
                        {"seq", (*stored)->seq},
                        {"received_at", format_rfc3339((*stored)->received_at)},
                        {"age_seconds", age.count()},
                        {"source", "reported by the endpoint"},
                        {"snapshot", nlohmann::json::parse(json, nullptr, false)}});
}

HttpResponse handle_revoke_device(ApiServices& services, ApiRequest& request) {
  const auto& id = request.path_params["id"];
  auto revoked = services.audit.record_with([&]() -> Result<AuditEvent> {
    if (auto r = services.store.revoke_device(id, std::chrono::system_clock::now()); !r) {
      return tl::unexpected(r.error());
    }
    return request_audit_event(request, "device.revoked", "device:" + id);
  });
  if (!revoked) return error_response(revoked.error());
  services.registry.disconnect(id, transport::CloseCode::kRevoked, "device revoked");
  spdlog::warn("device {} revoked by {}", id, request.user ? request.user->name : "?");
  auto device = find_or_404(services, id);
  if (!device) return error_response(device.error());
  return json_response(http::status::ok, device_json(*device, false));
}

}  // namespace triage::collector
