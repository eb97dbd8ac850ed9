#include "collector/live/live_sample_json.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

/// Text from the endpoint: at most `cap` bytes, control characters (but tab) as '?'. The
/// protobuf parser has already refused anything that is not UTF-8; a cut inside a character
/// is backed off to its start.
std::string text(const std::string& in, std::size_t cap) {
  std::string out = in.substr(0, cap);
  if (out.size() < in.size()) {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  for (char& c : out) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
  }
  return out;
}

/// A percentage rounded to one decimal, NaN and negatives as 0, at most `max`.
double percent(float value, double max) {
  if (!std::isfinite(value) || value < 0) return 0;
  return std::round(std::min<double>(value, max) * 10) / 10;
}

std::string at(std::int64_t unix_ms) {
  return format_rfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(unix_ms)));
}

}  // namespace

nlohmann::json live_sample_json(const v1::LiveSample& s) {
  nlohmann::json processes = nlohmann::json::array();
  for (int i = 0; i < std::min(s.top_processes_size(), kLiveSampleProcesses); ++i) {
    const auto& p = s.top_processes(i);
    processes.push_back({{"pid", p.pid()},
                         {"name", text(p.name(), 128)},
                         {"cpu_percent", percent(p.cpu_percent(), 100'000)},
                         {"rss_bytes", p.rss_bytes()}});
  }
  nlohmann::json errors = nlohmann::json::array();
  for (int i = 0; i < std::min(s.new_errors_size(), kLiveSampleErrors); ++i) {
    const auto& e = s.new_errors(i);
    errors.push_back({{"at", e.time_unix_ms() > 0 ? at(e.time_unix_ms()) : ""},
                      {"level", text(e.level(), 16)},
                      {"source", text(e.source(), 128)},
                      {"identifier", text(e.identifier(), 64)},
                      {"message", text(e.message(), 1024)}});
  }
  const auto left_out =
      static_cast<std::uint64_t>(s.errors_left_out()) +
      static_cast<std::uint64_t>(std::max(0, s.new_errors_size() - kLiveSampleErrors));
  return {{"seq", s.seq()},
          {"at", at(s.time_unix_ms())},
          {"cpu_percent", percent(s.cpu_percent(), 100)},
          {"memory_total_bytes", s.memory_total_bytes()},
          {"memory_available_bytes", s.memory_available_bytes()},
          {"swap_used_bytes", s.swap_used_bytes()},
          {"disk_read_bytes_per_s", s.disk_read_bytes_per_s()},
          {"disk_write_bytes_per_s", s.disk_write_bytes_per_s()},
          {"net_rx_bytes_per_s", s.net_rx_bytes_per_s()},
          {"net_tx_bytes_per_s", s.net_tx_bytes_per_s()},
          {"top_processes", processes},
          {"new_errors", errors},
          {"errors_left_out", left_out},
          {"agent_cpu_percent", percent(s.agent_cpu_percent(), 100'000)}};
}

}  // namespace triage::collector
