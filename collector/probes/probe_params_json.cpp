#include "collector/probes/probe_params_json.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "shared/probes/probe_params.hpp"

namespace triage::collector {

namespace {

tl::unexpected<Error> invalid(std::string message) {
  return fail(ErrorCode::kInvalid, std::move(message));
}

Result<void> only(const nlohmann::json& params, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : params.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return invalid("unknown parameter `" + key.substr(0, 64) + "` for this probe");
    }
  }
  return {};
}

Result<std::string> text(const nlohmann::json& params, const char* key, bool required) {
  auto it = params.find(key);
  if (it == params.end()) {
    if (required) return invalid(std::string("parameter `") + key + "` is required");
    return std::string();
  }
  if (!it->is_string()) return invalid(std::string("parameter `") + key + "` must be a string");
  return it->get<std::string>();
}

Result<std::uint32_t> number(const nlohmann::json& params, const char* key, bool required,
                             std::uint32_t fallback, std::uint32_t min, std::uint32_t max) {
  auto it = params.find(key);
  if (it == params.end()) {
    if (required) return invalid(std::string("parameter `") + key + "` is required");
    return fallback;
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() < std::int64_t{min} ||
      it->get<std::int64_t>() > std::int64_t{max}) {
    return invalid(std::string("parameter `") + key + "` must be one integer from " +
                   std::to_string(min) + " to " + std::to_string(max));
  }
  return static_cast<std::uint32_t>(it->get<std::int64_t>());
}

Result<bool> flag(const nlohmann::json& params, const char* key) {
  auto it = params.find(key);
  if (it == params.end()) return false;
  if (!it->is_boolean())
    return invalid(std::string("parameter `") + key + "` must be true or false");
  return it->get<bool>();
}

}  // namespace

Result<void> probe_params_from_json(const std::string& probe, const nlohmann::json& params,
                                    v1::ProbePayload& out) {
  if (!probes::known_probe(probe)) {
    std::string names;
    for (auto n : probes::probe_names()) names += (names.empty() ? "" : ", ") + std::string(n);
    return invalid("unknown probe `" + probe.substr(0, 32) + "`; known: " + names);
  }
  if (!params.is_object()) return invalid("`params` must be a JSON object");
  out.set_probe(probe);
  if (probe == "reach") {
    if (auto r = only(params, {"host", "port", "tls", "server_name"}); !r) return r;
    auto host = text(params, "host", true);
    if (!host) return tl::unexpected(host.error());
    auto port = number(params, "port", true, 0, 1, 65535);
    if (!port) return tl::unexpected(port.error());
    auto tls = flag(params, "tls");
    if (!tls) return tl::unexpected(tls.error());
    auto name = text(params, "server_name", false);
    if (!name) return tl::unexpected(name.error());
    auto* p = out.mutable_reach();
    p->set_host(*host);
    p->set_port(*port);
    p->set_tls(*tls);
    p->set_server_name(*name);
  } else if (probe == "resolve") {
    if (auto r = only(params, {"name", "each_server"}); !r) return r;
    auto name = text(params, "name", true);
    if (!name) return tl::unexpected(name.error());
    auto each = flag(params, "each_server");
    if (!each) return tl::unexpected(each.error());
    out.mutable_resolve()->set_name(*name);
    out.mutable_resolve()->set_each_server(*each);
  } else if (probe == "http_get") {
    if (auto r = only(params, {"url", "max_redirects"}); !r) return r;
    auto url = text(params, "url", true);
    if (!url) return tl::unexpected(url.error());
    auto redirects = number(params, "max_redirects", false, 3, 0, probes::kMaxRedirects);
    if (!redirects) return tl::unexpected(redirects.error());
    out.mutable_http_get()->set_url(*url);
    out.mutable_http_get()->set_max_redirects(*redirects);
  } else if (probe == "listening") {
    if (auto r = only(params, {}); !r) return r;
    out.mutable_listening();
  } else if (probe == "connections") {
    if (auto r = only(params, {"pid", "process"}); !r) return r;
    auto pid = number(params, "pid", false, 0, 1, 0x7fffffff);
    if (!pid) return tl::unexpected(pid.error());
    auto process = text(params, "process", false);
    if (!process) return tl::unexpected(process.error());
    out.mutable_connections()->set_pid(*pid);
    out.mutable_connections()->set_process(*process);
  } else if (probe == "log_lines") {
    if (auto r = only(params, {"source", "min_level", "since_minutes", "max_lines"}); !r) return r;
    auto source = text(params, "source", true);
    if (!source) return tl::unexpected(source.error());
    auto level = text(params, "min_level", false);
    if (!level) return tl::unexpected(level.error());
    auto since = number(params, "since_minutes", false, 10, 1, probes::kMaxLogMinutes);
    if (!since) return tl::unexpected(since.error());
    auto lines = number(params, "max_lines", false, 100, 1, probes::kMaxLogLines);
    if (!lines) return tl::unexpected(lines.error());
    auto* p = out.mutable_log_lines();
    p->set_source(*source);
    p->set_min_level(level->empty() ? "warning" : *level);
    p->set_since_minutes(*since);
    p->set_max_lines(*lines);
  } else if (probe == "path") {
    if (auto r = only(params, {"host", "max_hops"}); !r) return r;
    auto host = text(params, "host", true);
    if (!host) return tl::unexpected(host.error());
    auto hops = number(params, "max_hops", false, 20, 1, probes::kMaxPathHops);
    if (!hops) return tl::unexpected(hops.error());
    out.mutable_path()->set_host(*host);
    out.mutable_path()->set_max_hops(*hops);
  } else {
    if (auto r = only(params, {"path", "max_depth", "top"}); !r) return r;
    auto path = text(params, "path", true);
    if (!path) return tl::unexpected(path.error());
    auto depth = number(params, "max_depth", false, 2, 1, probes::kMaxDiskDepth);
    if (!depth) return tl::unexpected(depth.error());
    auto top = number(params, "top", false, 10, 1, probes::kMaxDiskTop);
    if (!top) return tl::unexpected(top.error());
    auto* p = out.mutable_disk_usage();
    p->set_path(*path);
    p->set_max_depth(*depth);
    p->set_top(*top);
  }
  return {};
}

nlohmann::json probe_params_to_json(const v1::ProbePayload& p) {
  if (p.has_reach()) {
    nlohmann::json out = {
        {"host", p.reach().host()}, {"port", p.reach().port()}, {"tls", p.reach().tls()}};
    if (!p.reach().server_name().empty()) out["server_name"] = p.reach().server_name();
    return out;
  }
  if (p.has_resolve()) {
    return {{"name", p.resolve().name()}, {"each_server", p.resolve().each_server()}};
  }
  if (p.has_connections()) {
    if (p.connections().pid() != 0) return {{"pid", p.connections().pid()}};
    return {{"process", p.connections().process()}};
  }
  if (p.has_log_lines()) {
    return {{"source", p.log_lines().source()},
            {"min_level", p.log_lines().min_level()},
            {"since_minutes", p.log_lines().since_minutes()},
            {"max_lines", p.log_lines().max_lines()}};
  }
  if (p.has_path()) return {{"host", p.path().host()}, {"max_hops", p.path().max_hops()}};
  if (p.has_http_get()) {
    return {{"url", p.http_get().url()}, {"max_redirects", p.http_get().max_redirects()}};
  }
  if (p.has_disk_usage()) {
    return {{"path", p.disk_usage().path()},
            {"max_depth", p.disk_usage().max_depth()},
            {"top", p.disk_usage().top()}};
  }
  return nlohmann::json::object();
}

}  // namespace triage::collector
