#include "collector/triagectl/ctl_live.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <thread>

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

namespace {

/// Samples asked for per poll: the API's most, so a client that fell behind catches up at once.
constexpr int kPageSize = 600;

std::optional<double> number(const json& value) {
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

/// "12.5%", right-aligned in `width` columns; "-" without a value.
std::string percent_text(std::optional<double> value, int width = 6) {
  char buf[32];
  if (!value) {
    std::snprintf(buf, sizeof buf, "%*s", width, "-");
  } else {
    std::snprintf(buf, sizeof buf, "%*.1f%%", width - 1, *value);
  }
  return buf;
}

/// "1.2 MiB/s", right-aligned in 11 columns.
std::string rate_text(const json& value) {
  const auto bytes = number(value);
  std::string text = bytes ? human_bytes(*bytes) + "/s" : "-";
  if (text.size() < 11) text.insert(0, 11 - text.size(), ' ');
  return text;
}

/// "HH:MM:SS" of an RFC 3339 time ("2026-12-07T18:43:51Z"); "--:--:--" for anything else.
std::string clock_of(const json& at) {
  if (!at.is_string()) return "--:--:--";
  const auto& text = at.get_ref<const std::string&>();
  if (text.size() < 19 || text[10] != 'T') return "--:--:--";
  return sanitize(text.substr(11, 8));
}

std::optional<double> memory_used_percent(const json& sample) {
  const auto total = number(member(sample, "memory_total_bytes"));
  const auto available = number(member(sample, "memory_available_bytes"));
  if (!total || !available || *total <= 0) return std::nullopt;
  return 100.0 * std::clamp(*total - *available, 0.0, *total) / *total;
}

bool is_true(const json& value) { return value.is_boolean() && value.get<bool>(); }

/// Sleeps `duration`, waking early when `interrupted` is set.
void nap(std::chrono::milliseconds duration, const std::atomic<bool>& interrupted) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!interrupted.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
}

std::chrono::milliseconds interval_of(const LiveCommand& c, const json& session) {
  if (c.poll_interval) return *c.poll_interval;
  const auto ms = number(member(session, "interval_ms")).value_or(1000);
  return std::chrono::milliseconds(static_cast<int>(std::clamp(ms, 100.0, 10'000.0)));
}

}  // namespace

Result<json> live_body(const LiveCommand& c) {
  if (c.device_id.empty()) return fail(ErrorCode::kInvalid, "live takes a DEVICE id");
  json body = json::object();
  if (!c.ticket_id.empty()) {
    std::int64_t ticket = 0;
    auto [ptr, ec] =
        std::from_chars(c.ticket_id.data(), c.ticket_id.data() + c.ticket_id.size(), ticket);
    if (ec != std::errc() || ptr != c.ticket_id.data() + c.ticket_id.size() || ticket <= 0) {
      return fail(ErrorCode::kInvalid,
                  "--ticket takes a ticket number, not " + sanitize(c.ticket_id));
    }
    body["ticket_id"] = ticket;
  }
  if (c.minutes != 0) {
    if (c.minutes < 1 || c.minutes > 10) {
      return fail(ErrorCode::kInvalid,
                  "--minutes takes 1 to 10 (a running view is extended from the console)");
    }
    body["minutes"] = c.minutes;
  }
  return body;
}

std::string sample_line(const json& s) {
  std::string line = clock_of(member(s, "at"));
  line += "  cpu " + percent_text(number(member(s, "cpu_percent")));
  line += "  mem " + percent_text(memory_used_percent(s));
  line += "  disk r " + rate_text(member(s, "disk_read_bytes_per_s"));
  line += " w " + rate_text(member(s, "disk_write_bytes_per_s"));
  line += "  net rx " + rate_text(member(s, "net_rx_bytes_per_s"));
  line += " tx " + rate_text(member(s, "net_tx_bytes_per_s"));
  const auto& top = member(s, "top_processes");
  if (top.is_array() && !top.empty() && top.front().is_object()) {
    const auto& p = top.front();
    line += "  top " + truncate(field(p, "name"), 32) + " " +
            percent_text(number(member(p, "cpu_percent")), 0);
  }
  return line;
}

std::vector<std::string> error_lines(const json& s) {
  std::vector<std::string> lines;
  const auto& errors = member(s, "new_errors");
  if (errors.is_array()) {
    for (const auto& e : errors) {
      auto program = field(e, "identifier");
      if (program == "-" || program.empty()) program = field(e, "source");
      lines.push_back("  ! " + truncate(field(e, "level"), 8) + " " + truncate(program, 40) + ": " +
                      truncate(field(e, "message"), 300));
    }
  }
  const auto left_out = number(member(s, "errors_left_out")).value_or(0);
  if (left_out > 0) {
    lines.push_back("  ! " + text_of(member(s, "errors_left_out")) +
                    " more error line(s) left out");
  }
  return lines;
}

Result<int> run_live(const ApiCall& api, const LiveCommand& c, const Output& o,
                     const std::atomic<bool>& interrupted) {
  auto body = live_body(c);
  if (!body) return tl::unexpected(body.error());
  auto opened =
      api(http::verb::post, "/api/v1/devices/" + url_encode(c.device_id) + "/live", *body);
  if (!opened) return tl::unexpected(opened.error());
  const auto id = field(*opened, "id");
  if (id == "-" || id.empty()) return fail("the collector answered without a live session id");
  const bool joined = is_true(member(*opened, "joined"));
  // People read the header and the end; with --json, stdout holds nothing but samples.
  std::ostream& note = o.json ? o.err : o.out;
  note << "live view " << id << " on " << sanitize(c.device_id)
       << (joined ? " (joined; started by " + field(*opened, "started_by") + ")" : "")
       << ", ends at " << field(*opened, "ends_at") << "; times are UTC; Ctrl-C "
       << (joined ? "leaves it running" : "stops it") << "\n"
       << std::flush;

  // Someone who joins sees what comes from now on (the console replays the rest).
  std::uint64_t after =
      joined ? static_cast<std::uint64_t>(number(member(*opened, "samples")).value_or(0)) : 0;
  while (true) {
    if (interrupted.load()) {
      if (!joined) {
        auto stopped =
            api(http::verb::post, "/api/v1/live/" + url_encode(id) + "/stop", json::object());
        if (!stopped)
          o.err << "could not stop live view " << id << ": " << stopped.error().message << "\n";
      }
      note << "live view " << id << (joined ? " left running" : " stopped") << "\n";
      return kExitInterrupted;
    }
    auto page = api(http::verb::get,
                    "/api/v1/live/" + url_encode(id) + "?after=" + std::to_string(after) +
                        "&limit=" + std::to_string(kPageSize),
                    std::nullopt);
    if (!page) return tl::unexpected(page.error());
    const auto& samples = member(*page, "samples");
    for (const auto& s : samples) {
      if (o.json) {
        o.out << s.dump() << "\n";
      } else {
        o.out << sample_line(s) << "\n";
        for (const auto& line : error_lines(s)) o.out << line << "\n";
      }
      after = std::max(after, static_cast<std::uint64_t>(number(member(s, "seq")).value_or(0)));
    }
    o.out << std::flush;
    const auto& session = member(*page, "session");
    if (samples.is_array() && samples.size() >= static_cast<std::size_t>(kPageSize)) continue;
    if (field(session, "state") == "ended") {
      const auto reason = field(session, "end_reason");
      note << "live view " << id << " ended: " << reason << " (" << field(session, "samples")
           << " samples)\n";
      return reason.rfind("refused", 0) == 0 ? kExitOrderNotRun : 0;
    }
    nap(interval_of(c, session), interrupted);
  }
}

}  // namespace triage::ctl
