#include "collector/triagectl/ctl_probes.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <string_view>
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

/// Syslog's levels, most severe first, as log_lines takes them (shared/probes/probe_params.cpp).
constexpr std::array<std::string_view, 8> kLevels = {"emerg",   "alert",  "crit", "err",
                                                     "warning", "notice", "info", "debug"};

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return c >= '0' && c <= '9'; });
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
  return value.is_number() ? human_bytes(value.get<double>()) : text_of(value);
}

/// A time in milliseconds since the epoch (a number, or a string as protobuf JSON writes
/// 64-bit integers) in UTC with strftime's `format`; "-" for anything else.
std::string utc_of(const json& unix_ms, const char* format) {
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
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string date_of(const json& unix_ms) { return utc_of(unix_ms, "%Y-%m-%d"); }

/// "192.0.2.1:443", "[2001:db8::1]:443"; "-" without an address.
std::string host_port_text(const json& address, const json& port) {
  const auto host = text_of(address);
  if (host == "-") return host;
  const auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port.is_number() && port.get<int>() != 0 ? shown + ":" + text_of(port) : shown;
}

std::string rtt_text(const json& value) {
  const double rtt = value.is_number() ? value.get<double>() : 0.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, rtt < 10 ? "%.2f ms" : "%.1f ms", rtt);
  return buf;
}

bool is_true(const json& value) { return value.is_boolean() && value.get<bool>(); }

/// `object[key]` holds something to show (not missing, null or "").
bool has(const json& object, const char* key) { return text_of(member(object, key)) != "-"; }

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
    if (has(r, "servers_error")) {
      out << "DNS servers not listed: " << sanitize(field(r, "servers_error")) << "\n";
    }
    if (!member(r, "servers").empty()) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& s : member(r, "servers")) {
        rows.push_back({sanitize(field(s, "server")),
                        member(s, "addresses").empty()
                            ? std::string("no address")
                            : truncate(text_of(member(s, "addresses")), 100),
                        ms(member(s, "duration_ms")),
                        !has(s, "error") ? std::string("answered")
                                         : "FAILED: " + sanitize(field(s, "error"))});
      }
      print_table(out, {"DNS SERVER", "ANSWERS", "TIME", "RESULT"}, rows);
    }
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
  if (const auto& r = member(result, "connections"); r.is_object()) {
    if (!member(r, "pids").empty()) out << "processes " << text_of(member(r, "pids")) << "\n";
    if (has(r, "error")) out << "error: " << sanitize(field(r, "error")) << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : member(r, "connections")) {
      rows.push_back({text_of(member(c, "protocol")),
                      host_port_text(member(c, "local_address"), member(c, "local_port")),
                      host_port_text(member(c, "remote_address"), member(c, "remote_port")),
                      text_of(member(c, "state")), text_of(member(c, "pid")),
                      sanitize(field(c, "process"))});
    }
    print_table(out, {"PROTO", "LOCAL", "REMOTE", "STATE", "PID", "PROCESS"}, rows);
  }
  if (const auto& r = member(result, "log_lines"); r.is_object()) {
    if (has(r, "error")) out << "error: " << sanitize(field(r, "error")) << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : member(r, "lines")) {
      auto program = text_of(member(l, "identifier"));
      if (!has(l, "identifier")) program = text_of(member(l, "source"));
      if (member(l, "pid").is_number()) program += "[" + text_of(member(l, "pid")) + "]";
      rows.push_back({utc_of(member(l, "time_unix_ms"), "%Y-%m-%d %H:%M:%S"),
                      text_of(member(l, "level")), truncate(program, 40),
                      truncate(sanitize(field(l, "message")), 400)});
    }
    print_table(out, {"TIME (UTC)", "LEVEL", "PROGRAM", "MESSAGE"}, rows);
    if (is_true(member(r, "more"))) {
      out << "(older lines left out: the newest " << rows.size() << " are shown)\n";
    }
  }
  if (const auto& r = member(result, "path"); r.is_object()) {
    out << "path to " << sanitize(field(r, "address")) << " (" << sanitize(field(r, "method"))
        << "): " << (is_true(member(r, "reached")) ? "reached" : "NOT reached") << "\n";
    if (has(r, "error")) out << "error: " << sanitize(field(r, "error")) << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& hop : member(r, "hops")) {
      const bool answered = has(hop, "address");
      std::string note = is_true(member(hop, "reached")) ? "destination"
                         : has(hop, "note")              ? field(hop, "note")
                         : answered                      ? ""
                                                         : "no answer";
      rows.push_back({text_of(member(hop, "ttl")),
                      answered ? text_of(member(hop, "address")) : std::string("*"),
                      answered ? rtt_text(member(hop, "rtt_ms")) : std::string("-"),
                      sanitize(note)});
    }
    print_table(out, {"HOP", "ADDRESS", "RTT", "NOTE"}, rows);
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
    if (c.each_server) params["each_server"] = true;
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
  } else if (c.probe == "connections") {
    if (c.target.empty()) return usage("connections takes a PID or a process NAME");
    if (all_digits(c.target)) {
      std::uint32_t pid = 0;
      auto [ptr, ec] = std::from_chars(c.target.data(), c.target.data() + c.target.size(), pid);
      if (ec != std::errc() || pid == 0 || pid > 0x7fffffff) {
        return usage("the pid " + sanitize(c.target) + " must be a number from 1 to 2147483647");
      }
      params = {{"pid", pid}};
    } else {
      params = {{"process", c.target}};
    }
  } else if (c.probe == "log_lines") {
    if (c.target.empty()) {
      return usage(
          "log_lines takes a SOURCE: a systemd unit (cups.service), a syslog identifier "
          "(sshd) or an Event Log channel");
    }
    params = {{"source", c.target}};
    if (!c.min_level.empty()) {
      if (std::find(kLevels.begin(), kLevels.end(), c.min_level) == kLevels.end()) {
        return usage("--level takes emerg, alert, crit, err, warning, notice, info or debug, not " +
                     sanitize(c.min_level));
      }
      params["min_level"] = c.min_level;
    }
    if (c.since_minutes > 0) params["since_minutes"] = c.since_minutes;
    if (c.max_lines > 0) params["max_lines"] = c.max_lines;
  } else if (c.probe == "path") {
    if (c.target.empty()) return usage("path takes a HOST");
    params = {{"host", c.target}};
    if (c.max_hops > 0) params["max_hops"] = c.max_hops;
  } else {
    return usage("unknown probe " + sanitize(c.probe) +
                 "; known: reach, resolve, http_get, listening, disk_usage, connections, "
                 "log_lines, path");
  }
  if (c.tls && c.probe != "reach") return usage("--tls is for reach (http_get uses https://)");
  if (c.each_server && c.probe != "resolve") return usage("--each-server is for resolve");
  if ((!c.min_level.empty() || c.since_minutes > 0 || c.max_lines > 0) && c.probe != "log_lines") {
    return usage("--level, --since and --lines are for log_lines");
  }
  if (c.max_hops > 0 && c.probe != "path") return usage("--max-hops is for path");
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
