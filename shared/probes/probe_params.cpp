#include "shared/probes/probe_params.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace triage::probes {

namespace {

constexpr std::array<std::string_view, 8> kNames = {
    "reach", "resolve", "http_get", "listening", "disk_usage", "connections", "log_lines", "path"};

constexpr std::array<std::string_view, 8> kLevels = {"emerg",   "alert",  "crit", "err",
                                                     "warning", "notice", "info", "debug"};

tl::unexpected<Error> invalid(std::string_view field, std::string_view why) {
  return fail(ErrorCode::kInvalid, "`" + std::string(field) + "` " + std::string(why));
}

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

/// Dotted-quad IPv4 with four decimal parts 0..255; nullopt when `text` is not one.
std::optional<std::array<int, 4>> parse_ipv4(std::string_view text) {
  std::array<int, 4> parts{};
  std::size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (at >= text.size() || text[at] != '.') return std::nullopt;
      ++at;
    }
    const auto start = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) &&
           at - start < 4) {
      ++at;
    }
    if (at == start || at - start > 3) return std::nullopt;
    int value = 0;
    std::from_chars(text.data() + start, text.data() + at, value);
    if (value > 255) return std::nullopt;
    parts[static_cast<std::size_t>(i)] = value;
  }
  if (at != text.size()) return std::nullopt;
  return parts;
}

bool looks_ipv6(std::string_view text) {
  if (text.size() < 2 || text.size() > 45 || std::count(text.begin(), text.end(), ':') < 2) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
  });
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<void> check_ipv6(std::string_view host, std::string_view field) {
  const auto text = lower(host);
  // "::" alone or any spelling of all zeros is the unspecified address.
  if (std::all_of(text.begin(), text.end(), [](char c) { return c == '0' || c == ':'; })) {
    return invalid(field, "is the unspecified address; name one host");
  }
  if (text.rfind("ff", 0) == 0) return invalid(field, "is a multicast address; name one host");
  if (text.find(":::") != std::string::npos ||
      (text.find("::") != std::string::npos &&
       text.find("::", text.find("::") + 1) != std::string::npos)) {
    return invalid(field, "is not a valid IPv6 address");
  }
  return {};
}

/// A process name as ps or Task Manager shows it: printable, no path separators, no wildcards.
Result<void> check_process_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return invalid("process", "must be 1 to 64 bytes");
  const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '/' && c != '\\' && c != '*' && c != '?';
  });
  if (!plain) {
    return invalid("process",
                   "must be one process name (printable, no path, no wildcards): not a pattern");
  }
  return {};
}

/// A journal unit or syslog identifier ("cups.service", "sshd"), or an Event Log channel
/// ("Microsoft-Windows-PrintService/Admin"): letters, digits, and - _ . @ : / \ and spaces.
Result<void> check_log_source(std::string_view source) {
  if (source.empty() || source.size() > 256) return invalid("source", "must be 1 to 256 bytes");
  const bool plain = std::all_of(source.begin(), source.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("-_.@:/\\ ").find(c) != std::string_view::npos;
  });
  if (!plain || source.front() == ' ' || source.back() == ' ') {
    return invalid("source",
                   "must be one unit, identifier or channel name (letters, digits, - _ . @ : / "
                   "\\ and inner spaces): no patterns");
  }
  return {};
}

}  // namespace

std::span<const std::string_view> probe_names() { return kNames; }

std::optional<int> log_level_rank(std::string_view level) {
  for (std::size_t i = 0; i < kLevels.size(); ++i) {
    if (kLevels[i] == level) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string_view log_level_name(int rank) {
  if (rank < 0) return kLevels.front();
  return kLevels[std::min<std::size_t>(static_cast<std::size_t>(rank), kLevels.size() - 1)];
}

bool known_probe(std::string_view name) {
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

Result<void> check_dns_name(std::string_view name, std::string_view field) {
  if (name.empty()) return invalid(field, "is empty");
  if (name.size() > 253) return invalid(field, "is longer than 253 bytes");
  std::string_view rest = name;
  if (rest.back() == '.') rest.remove_suffix(1);
  if (rest.empty()) return invalid(field, "is not a host name");
  std::size_t start = 0;
  while (start <= rest.size()) {
    auto end = rest.find('.', start);
    if (end == std::string_view::npos) end = rest.size();
    const auto label = rest.substr(start, end - start);
    if (label.empty() || label.size() > 63) {
      return invalid(field, "has an empty label or one over 63 bytes");
    }
    if (!std::all_of(label.begin(), label.end(), is_label_char) || label.front() == '-' ||
        label.back() == '-') {
      return invalid(field,
                     "must be one host name (letters, digits, '-' and '.'): no lists, ranges, "
                     "wildcards or network prefixes");
    }
    start = end + 1;
  }
  // Names of digits alone would be addresses in another spelling (010.1, 167772161), and
  // with dashes address ranges (10.0.0.1-20).
  if (std::all_of(rest.begin(), rest.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
      })) {
    return invalid(field,
                   "is neither a host name nor one dotted-quad IPv4 address (no address ranges)");
  }
  return {};
}

Result<void> check_host(std::string_view host, std::string_view field) {
  if (host.empty()) return invalid(field, "is empty");
  if (auto v4 = parse_ipv4(host)) {
    const auto& a = *v4;
    if (a[0] == 0) return invalid(field, "is an unspecified (0.x.x.x) address; name one host");
    if (a[0] >= 224 && a[0] <= 239) return invalid(field, "is a multicast address");
    if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255) {
      return invalid(field, "is the broadcast address");
    }
    return {};
  }
  if (looks_ipv6(host)) return check_ipv6(host, field);
  return check_dns_name(host, field);
}

Result<ProbeUrl> parse_probe_url(std::string_view url) {
  constexpr std::string_view kField = "url";
  if (url.size() > 2048) return invalid(kField, "is longer than 2048 bytes");
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return invalid(kField, "must be printable ASCII without spaces");
  }
  ProbeUrl out;
  const auto low = lower(url.substr(0, 8));
  std::string_view rest;
  if (low.rfind("https://", 0) == 0) {
    out.https = true;
    out.port = 443;
    rest = url.substr(8);
  } else if (low.rfind("http://", 0) == 0) {
    out.port = 80;
    rest = url.substr(7);
  } else {
    return invalid(kField, "must start with http:// or https://");
  }
  const auto slash = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() != '/') out.target.insert(0, "/");
  if (const auto hash = out.target.find('#'); hash != std::string::npos) out.target.resize(hash);
  if (authority.find('@') != std::string_view::npos) {
    return invalid(kField, "must not carry a user name or password");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid(kField, "has an unclosed [IPv6] host");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid(kField, "has text after its [IPv6] host");
      port = after.substr(1);
    }
    if (!looks_ipv6(host)) return invalid(kField, "has a bracketed host that is not IPv6");
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (auto r = check_host(host, "url host"); !r) return tl::unexpected(r.error());
  if (!port.empty() || authority.back() == ':') {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return invalid(kField, "has a port that is not one number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = std::string(host);
  return out;
}

Result<void> check_probe_request(const v1::ProbePayload& p) {
  if (!known_probe(p.probe())) {
    return fail(ErrorCode::kInvalid, "unknown probe `" + p.probe().substr(0, 32) + "`");
  }
  if (p.time_budget_ms() == 0 || p.time_budget_ms() > kMaxTimeBudgetMs) {
    return invalid("time_budget_ms", "must be 1 to 30000");
  }
  if (p.output_budget_bytes() == 0 || p.output_budget_bytes() > kMaxOutputBudgetBytes) {
    return invalid("output_budget_bytes", "must be 1 to 65536");
  }
  const auto mismatch = [&] {
    return fail(ErrorCode::kInvalid,
                "the parameters given are not those of probe `" + p.probe() + "`");
  };
  if (p.probe() == "reach") {
    if (!p.has_reach()) return mismatch();
    const auto& r = p.reach();
    if (auto ok = check_host(r.host(), "host"); !ok) return ok;
    if (r.port() == 0 || r.port() > 65535) return invalid("port", "must be one port, 1 to 65535");
    if (!r.server_name().empty()) {
      if (!r.tls()) return invalid("server_name", "is for TLS only");
      if (auto ok = check_dns_name(r.server_name(), "server_name"); !ok) return ok;
    }
    return {};
  }
  if (p.probe() == "resolve") {
    if (!p.has_resolve()) return mismatch();
    return check_dns_name(p.resolve().name(), "name");
  }
  if (p.probe() == "http_get") {
    if (!p.has_http_get()) return mismatch();
    if (p.http_get().max_redirects() > kMaxRedirects) {
      return invalid("max_redirects", "must be 0 to 5");
    }
    auto url = parse_probe_url(p.http_get().url());
    if (!url) return tl::unexpected(url.error());
    return {};
  }
  if (p.probe() == "listening") {
    if (!p.has_listening()) return mismatch();
    return {};
  }
  if (p.probe() == "connections") {
    if (!p.has_connections()) return mismatch();
    const auto& c = p.connections();
    if ((c.pid() != 0) == !c.process().empty()) {
      return invalid("pid", "or `process`: give exactly one of the two");
    }
    if (!c.process().empty()) return check_process_name(c.process());
    return {};
  }
  if (p.probe() == "log_lines") {
    if (!p.has_log_lines()) return mismatch();
    const auto& l = p.log_lines();
    if (auto ok = check_log_source(l.source()); !ok) return ok;
    if (!l.min_level().empty() && !log_level_rank(l.min_level())) {
      return invalid("min_level",
                     "must be one of emerg, alert, crit, err, warning, notice, info, debug");
    }
    if (l.since_minutes() == 0 || l.since_minutes() > kMaxLogMinutes) {
      return invalid("since_minutes", "must be 1 to 1440");
    }
    if (l.max_lines() == 0 || l.max_lines() > kMaxLogLines) {
      return invalid("max_lines", "must be 1 to 500");
    }
    return {};
  }
  if (p.probe() == "path") {
    if (!p.has_path()) return mismatch();
    if (auto ok = check_host(p.path().host(), "host"); !ok) return ok;
    if (p.path().max_hops() == 0 || p.path().max_hops() > kMaxPathHops) {
      return invalid("max_hops", "must be 1 to 30");
    }
    return {};
  }
  // disk_usage
  if (!p.has_disk_usage()) return mismatch();
  const auto& d = p.disk_usage();
  const auto& path = d.path();
  // Absolute by either platform's rules: "/var/log" or "C:\\Users" (the agent walks only what
  // its own platform calls a directory).
  const bool posix_absolute = !path.empty() && path.front() == '/';
  const bool drive_absolute = path.size() >= 3 &&
                              std::isalpha(static_cast<unsigned char>(path[0])) && path[1] == ':' &&
                              (path[2] == '\\' || path[2] == '/');
  if ((!posix_absolute && !drive_absolute) || path.size() > 4096) {
    return invalid("path",
                   "must be an absolute path (/var/log or C:\\Users) of at most 4096 bytes");
  }
  if (!std::all_of(path.begin(), path.end(), [](char c) { return c >= 0x20 && c != 0x7f; })) {
    return invalid("path", "must not hold control characters");
  }
  for (std::size_t start = 0; start <= path.size();) {
    const auto end = std::min(path.find_first_of("/\\", start), path.size());
    if (path.compare(start, end - start, "..") == 0) return invalid("path", "must not hold `..`");
    start = end + 1;
  }
  if (d.max_depth() == 0 || d.max_depth() > kMaxDiskDepth) {
    return invalid("max_depth", "must be 1 to 8");
  }
  if (d.top() == 0 || d.top() > kMaxDiskTop) return invalid("top", "must be 1 to 50");
  return {};
}

std::string probe_target(const v1::ProbePayload& p) {
  std::string out;
  if (p.has_reach()) {
    out =
        p.reach().host() + ":" + std::to_string(p.reach().port()) + (p.reach().tls() ? " tls" : "");
  } else if (p.has_resolve()) {
    out = p.resolve().name() + (p.resolve().each_server() ? " each server" : "");
  } else if (p.has_connections()) {
    out = p.connections().pid() != 0 ? "pid " + std::to_string(p.connections().pid())
                                     : p.connections().process();
  } else if (p.has_log_lines()) {
    out = p.log_lines().source() + " " +
          (p.log_lines().min_level().empty() ? "warning" : p.log_lines().min_level()) + " last " +
          std::to_string(p.log_lines().since_minutes()) + " min";
  } else if (p.has_path()) {
    out = p.path().host();
  } else if (p.has_http_get()) {
    out = p.http_get().url();
  } else if (p.has_disk_usage()) {
    out = p.disk_usage().path() + " depth " + std::to_string(p.disk_usage().max_depth());
  }
  out = out.substr(0, 300);
  for (char& c : out) {
    if (c < 0x20 || c >= 0x7f) c = '?';
  }
  return out;
}

const char* probe_status_name(v1::ProbeStatus status) {
  switch (status) {
    case v1::PROBE_COMPLETED:
      return "completed";
    case v1::PROBE_REFUSED:
      return "refused";
    default:
      return "failed";
  }
}

}  // namespace triage::probes
