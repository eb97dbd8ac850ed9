// w32time's configuration; see windows_time_service.hpp.
#include "agent/collectors/windows_sources/windows_time_service.hpp"

#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

/// At most this many servers are kept: w32time's own list is short; a long one is not real.
constexpr std::size_t kMaxServers = 8;

std::vector<std::string> servers_of(std::string_view configured) {
  std::vector<std::string> out;
  for (auto server : split_ws(configured)) {
    server = server.substr(0, server.find(','));
    if (server.empty() || server.size() > 253) continue;
    out.emplace_back(server);
    if (out.size() == kMaxServers) break;
  }
  return out;
}

std::string joined(const std::vector<std::string>& servers) {
  std::string out;
  for (const auto& s : servers) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

std::string w32time_description(const RegistryKey& parameters) {
  auto type = parameters.text("Type");
  if (type.empty()) return "w32time";
  auto lowered = to_lower(type);
  if (lowered == "nosync") return "w32time (not synchronising: Type NoSync)";
  if (lowered == "nt5ds") return "w32time (domain hierarchy)";
  auto servers = joined(servers_of(parameters.text("NtpServer")));
  if (lowered == "allsync") {
    return servers.empty() ? "w32time (domain hierarchy or NTP)"
                           : "w32time (domain hierarchy or NTP " + servers + ")";
  }
  if (lowered == "ntp") return servers.empty() ? "w32time (NTP)" : "w32time (NTP " + servers + ")";
  return "w32time (" + type + ")";
}

std::vector<std::string> w32time_ntp_servers(const RegistryKey& parameters) {
  auto type = to_lower(parameters.text("Type"));
  if (type != "ntp" && type != "allsync") return {};
  return servers_of(parameters.text("NtpServer"));
}

bool w32time_synchronises(const RegistryKey& parameters) {
  return to_lower(parameters.text("Type")) != "nosync";
}

}  // namespace triage::agent
