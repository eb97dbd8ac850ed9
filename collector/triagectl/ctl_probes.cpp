#include "collector/triagectl/ctl_probes.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <thread>

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

namespace {

tl::unexpected<Error> usage(std::string message) {
  return fail(ErrorCode::kInvalid, std::move(message));
}

/// "host:443", "[2001:db8::1]:443" -> host and one port number.
Result<std::pair<std::string, int>> host_port(const std::string& target) {
  const auto colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return usage("reach takes HOST:PORT, e.g. vpn.example.com:443");
  }
  std::string host = target.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port_text = target.substr(colon + 1);
  int port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port < 1 || port > 65535) {
    return usage("the port of " + sanitize(target) +
                 " must be one number from 1 to 65535 (probes take no port ranges)");
  }
  return std::make_pair(host, port);
}

std::string ms(const json& value) { return text_of(value) + " ms"; }

std::string size_text(const json& value) {
  if (!value.is_number()) return text_of(value);
  double bytes = value.get<double>();
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buf;
}

std::string date_of(const json& unix_ms) {
  if (!unix_ms.is_number_integer() && !unix_ms.is_string()) return "-";
  std::int64_t value = 0;
  if (unix_ms.is_string()) {
    const auto s = unix_ms.get<std::string>();
    std::from_chars(s.data(), s.data() + s.size(), value);
  } else {
    value = unix_ms.get<std::int64_t>();
  }
  const std::time_t t = static_cast<std::time_t>(value / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void print_tls(const json& tls, std::ostream& out) {
  if (!tls.is_object() || tls.empty()) return;
  if (!field(tls, "error").empty()) {
    out << "TLS handshake failed: " << sanitize(field(tls, "error")) << "\n";
    return;
  }
  out << "TLS: " << sanitize(field(tls, "protocol")) << ", " << sanitize(field(tls, "cipher"))
      << ", handshake " << ms(member(tls, "handshake_ms")) << "\n";
  const auto& verified = member(tls, "verified");
  out << "verified against this PC's trust store: "
      << (verified.is_boolean() && verified.get<bool>()
              ? std::string("yes")
              : "NO (" + sanitize(field(tls, "verify_error")) + ")")
      << "\n";
  int i = 0;
  for (const auto& cert : member(tls, "chain")) {
    const auto& expired = member(cert, "expired");
    const bool is_expired = expired.is_boolean() && expired.get<bool>();
    out << "  [" << i++ << "] " << truncate(sanitize(field(cert, "subject")), 100) << "\n"
        << "      issuer " << truncate(sanitize(field(cert, "issuer")), 100) << "\n"
        << "      valid " << date_of(member(cert, "not_before_unix_ms")) << " .. "
        << date_of(member(cert, "not_after_unix_ms")) << (is_expired ? "  EXPIRED" : "") << "\n";
    std::string names;
    for (const auto& n : member(cert, "names")) names += (names.empty() ? "" : ", ") + text_of(n);
    if (!names.empty()) out << "      names " << truncate(sanitize(names), 200) << "\n";
  }
}

void print_result(const json& run, std::ostream& out) {
  const auto& result = member(run, "result");
  out << "probe " << field(run, "id") << " " << field(run, "probe") << " "
      << sanitize(field(run, "target")) << " on " << field(run, "device_id") << ": "
      << field(run, "state") << "\n";
  if (!result.is_object()) return;
  if (!field(result, "reason").empty())
    out << "reason: " << sanitize(field(result, "reason")) << "\n";
  const auto& cut = member(result, "budget_exceeded");
  if (cut.is_boolean() && cut.get<bool>()) {
    out << "CUT SHORT: " << sanitize(field(result, "budget_note")) << "\n";
  }
  if (const auto& r = member(result, "reach"); r.is_object()) {
    const auto& connected = member(r, "connected");
    if (connected.is_boolean() && connected.get<bool>()) {
      out << "reached " << sanitize(field(r, "address")) << " port " << text_of(member(r, "port"))
          << " (connect " << ms(member(r, "connect_ms")) << ", resolve "
          << ms(member(r, "resolve_ms")) << ")\n";
    } else {
      out << "NOT reached: " << sanitize(field(r, "error")) << "\n";
    }
    print_tls(member(r, "tls"), out);
  }
  if (const auto& r = member(result, "resolve"); r.is_object()) {
    if (!field(r, "error").empty()) out << "error: " << sanitize(field(r, "error")) << "\n";
    for (const auto& a : member(r, "addresses")) out << "  " << sanitize(text_of(a)) << "\n";
    out << "(" << sanitize(field(r, "resolver")) << " resolver, " << ms(member(r, "duration_ms"))
        << ")\n";
  }
  if (const auto& r = member(result, "http_get"); r.is_object()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& hop : member(r, "hops")) {
      rows.push_back({truncate(sanitize(field(hop, "url")), 60), text_of(member(hop, "status")),
                      sanitize(field(hop, "address")), ms(member(hop, "connect_ms")),
                      ms(member(hop, "first_byte_ms")), ms(member(hop, "total_ms")),
                      truncate(sanitize(field(hop, "error")), 60)});
    }
    print_table(out, {"URL", "STATUS", "ADDRESS", "CONNECT", "FIRST BYTE", "TOTAL", "ERROR"}, rows);
    for (const auto& hop : member(r, "hops")) print_tls(member(hop, "tls"), out);
    if (!field(r, "error").empty()) out << "error: " << sanitize(field(r, "error")) << "\n";
    const auto body = field(r, "body_prefix");
    if (!body.empty()) {
      out << "body (" << sanitize(field(r, "content_type")) << ", first " << body.size() << " bytes"
          << (member(r, "body_truncated") == true ? ", more not read" : "") << "):\n"
          << truncate(sanitize(body, true), 2000) << "\n";
    }
  }
  if (const auto& r = member(result, "listening"); r.is_object()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : member(r, "sockets")) {
      rows.push_back({text_of(member(s, "protocol")), sanitize(field(s, "address")),
                      text_of(member(s, "port")), text_of(member(s, "pid")),
                      sanitize(field(s, "process")), text_of(member(s, "uid"))});
    }
    print_table(out, {"PROTO", "ADDRESS", "PORT", "PID", "PROCESS", "UID"}, rows);
  }
  if (const auto& r = member(result, "disk_usage"); r.is_object()) {
    out << sanitize(field(r, "path")) << ": " << size_text(member(r, "total_bytes")) << " in "
        << text_of(member(r, "files")) << " files\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : member(r, "largest")) {
      rows.push_back({size_text(member(d, "bytes")), text_of(member(d, "files")),
                      truncate(sanitize(field(d, "path")), 120)});
    }
    print_table(out, {"SIZE", "FILES", "DIRECTORY"}, rows);
  }
  out << "duration " << ms(member(result, "duration_ms")) << "\n";
}

int exit_for(const json& run) {
  const auto state = field(run, "state");
  if (state == "completed") return 0;
  if (state == "refused") return kExitOrderNotRun;
  return kExitOrderFailed;
}

}  // namespace

Result<json> probe_body(const ProbeCommand& c) {
  json params = json::object();
  if (c.probe == "reach") {
    auto hp = host_port(c.target);
    if (!hp) return tl::unexpected(hp.error());
    params = {{"host", hp->first}, {"port", hp->second}, {"tls", c.tls}};
    if (!c.server_name.empty()) params["server_name"] = c.server_name;
  } else if (c.probe == "resolve") {
    if (c.target.empty()) return usage("resolve takes a NAME");
    params = {{"name", c.target}};
  } else if (c.probe == "http_get") {
    if (c.target.empty()) return usage("http_get takes a URL");
    params = {{"url", c.target}};
    if (c.max_redirects >= 0) params["max_redirects"] = c.max_redirects;
  } else if (c.probe == "listening") {
    if (!c.target.empty()) return usage("listening takes no target");
  } else if (c.probe == "disk_usage") {
    if (c.target.empty()) return usage("disk_usage takes a PATH");
    params = {{"path", c.target}};
    if (c.max_depth > 0) params["max_depth"] = c.max_depth;
    if (c.top > 0) params["top"] = c.top;
  } else {
    return usage("unknown probe " + sanitize(c.probe) +
                 "; known: reach, resolve, http_get, listening, disk_usage");
  }
  if (c.tls && c.probe != "reach") return usage("--tls is for reach (http_get uses https://)");
  json body = {{"probe", c.probe}, {"params", params}};
  if (!c.ticket_id.empty()) {
    std::int64_t ticket = 0;
    auto [ptr, ec] =
        std::from_chars(c.ticket_id.data(), c.ticket_id.data() + c.ticket_id.size(), ticket);
    if (ec != std::errc() || ptr != c.ticket_id.data() + c.ticket_id.size() || ticket <= 0) {
      return usage("--ticket takes a ticket number");
    }
    body["ticket_id"] = ticket;
  }
  if (c.time_budget_ms > 0) body["time_budget_ms"] = c.time_budget_ms;
  if (c.output_budget_bytes > 0) body["output_budget_bytes"] = c.output_budget_bytes;
  return body;
}

Result<int> run_probe(const ApiCall& api, const ProbeCommand& c, const Output& o) {
  auto body = probe_body(c);
  if (!body) return tl::unexpected(body.error());
  auto run = api(http::verb::post, "/api/v1/devices/" + url_encode(c.device_id) + "/probes", *body);
  if (!run) return tl::unexpected(run.error());
  const auto id = field(*run, "id");
  if (!c.wait) {
    if (o.json) {
      o.out << run->dump(2) << "\n";
    } else {
      o.out << "probe " << id << " sent; triagectl probe-show " << id << "\n";
    }
    return 0;
  }
  // The agent answers within the probe's time budget; allow for the trip and the commit.
  const auto budget = member(*run, "time_budget_ms");
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(budget.is_number() ? budget.get<int>() : 10'000) +
                        std::chrono::seconds(15);
  json current = *run;
  while (field(current, "state") == "sent" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(c.poll_interval);
    auto next = api(http::verb::get, "/api/v1/probes/" + url_encode(id), std::nullopt);
    if (!next) return tl::unexpected(next.error());
    current = std::move(*next);
  }
  if (o.json) {
    o.out << current.dump(2) << "\n";
  } else {
    print_result(current, o.out);
    if (field(current, "state") == "sent")
      o.out << "no answer yet; triagectl probe-show " << id << "\n";
  }
  return exit_for(current);
}

Result<void> show_probe(const ApiCall& api, const std::string& id, const Output& o) {
  auto run = api(http::verb::get, "/api/v1/probes/" + url_encode(id), std::nullopt);
  if (!run) return tl::unexpected(run.error());
  if (o.json) {
    o.out << run->dump(2) << "\n";
  } else {
    print_result(*run, o.out);
  }
  return {};
}

}  // namespace triage::ctl
