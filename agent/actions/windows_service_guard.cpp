#include "agent/actions/windows_service_guard.hpp"

#include <array>
#include <string>

namespace triage::agent {

namespace {

struct DeniedService {
  std::string_view name;
  std::string_view why;
};

constexpr std::string_view kCore =
    "every process or session depends on it: Windows cannot run without it (stopping it "
    "shuts the machine down or fails)";
constexpr std::string_view kSessions = "ends or breaks the sessions of logged-on users";
constexpr std::string_view kProtection =
    "switches off what protects or records this machine while it restarts (the window an "
    "attacker would ask for)";
constexpr std::string_view kServicing = "can break an update or an installation that is under way";

// Every Windows machine. Names are the services' key names, compared case-insensitively.
constexpr std::array kDenied = {
    // The agent's own service (agent/service/windows/windows_service.hpp kServiceName): the
    // restart would end the agent and the order that runs it.
    DeniedService{"triage-agent", "stops this agent and the order it runs"},
    DeniedService{"RpcSs", kCore},
    DeniedService{"RpcEptMapper", kCore},
    DeniedService{"DcomLaunch", kCore},
    DeniedService{"BrokerInfrastructure", kCore},
    DeniedService{"SystemEventsBroker", kCore},
    DeniedService{"CoreMessagingRegistrar", kCore},
    DeniedService{"Power", kCore},
    DeniedService{"PlugPlay", kCore},
    DeniedService{"SamSs", kCore},
    // The network store: every connection, the agent's own included, goes with it.
    DeniedService{"nsi", kCore},
    // Winlogon's partners: sessions, profiles, policy at logon.
    DeniedService{"LSM", kSessions},
    DeniedService{"ProfSvc", kSessions},
    DeniedService{"gpsvc", kSessions},
    DeniedService{"TermService", "ends every Remote Desktop session, a technician's included"},
    DeniedService{"EventLog", kProtection},
    DeniedService{"WinDefend", kProtection},
    DeniedService{"WdNisSvc", kProtection},
    DeniedService{"Sense", kProtection},
    DeniedService{"SecurityHealthService", kProtection},
    DeniedService{"wscsvc", kProtection},
    DeniedService{"MpsSvc", kProtection},
    // The Base Filtering Engine: the firewall and IPsec stop with it.
    DeniedService{"BFE", kProtection},
    DeniedService{"KeyIso", kProtection},
    DeniedService{"TrustedInstaller", kServicing},
    DeniedService{"msiserver", kServicing},
    DeniedService{"Schedule",
                  "runs the machine's maintenance and other programs' scheduled jobs; a restart "
                  "can start missed jobs at once"},
};

// A domain controller's directory: restarting one interrupts logons and replication for the
// whole domain, which is not a fix for one PC's ticket.
constexpr std::array kDeniedOnDomainController = {
    DeniedService{"Netlogon", "authenticates the domain's logons"},
    DeniedService{"NTDS", "is the directory itself (Active Directory Domain Services)"},
    DeniedService{"kdc", "issues the domain's Kerberos tickets"},
    DeniedService{"DNS", "resolves the domain's names (its records live in the directory)"},
    DeniedService{"DFSR", "replicates SYSVOL, the domain's policies and logon scripts"},
    DeniedService{"IsmServ", "carries replication between the domain's sites"},
    DeniedService{"ADWS", "serves the directory to its management tools"},
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool name_char(char c, bool first) {
  const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  return alnum || (!first && (c == '_' || c == '.' || c == '$' || c == '-'));
}

template <std::size_t N>
Result<void> check_list(const std::array<DeniedService, N>& list, std::string_view name,
                        std::string_view where) {
  for (const auto& denied : list) {
    if (same_name(name, denied.name)) {
      return fail(ErrorCode::kDenied, "restart-windows-service refuses " + std::string(name) +
                                          std::string(where) + ": it " + std::string(denied.why));
    }
  }
  return {};
}

}  // namespace

Result<void> check_restartable_windows_service(std::string_view name) {
  bool valid = !name.empty() && name.size() <= 80;
  for (std::size_t i = 0; valid && i < name.size(); ++i) valid = name_char(name[i], i == 0);
  if (!valid) {
    return fail(ErrorCode::kDenied,
                "restart-windows-service needs a service's key name (letters, digits, _ . $ -, "
                "at most 80), not `" +
                    std::string(name.substr(0, 80)) + "`");
  }
  return check_list(kDenied, name, "");
}

Result<void> check_restartable_on_domain_controller(std::string_view name) {
  return check_list(kDeniedOnDomainController, name, " on a domain controller");
}

const char* win_service_state_name(WinServiceState state) {
  switch (state) {
    case WinServiceState::kStopped:
      return "stopped";
    case WinServiceState::kStartPending:
      return "start pending";
    case WinServiceState::kStopPending:
      return "stop pending";
    case WinServiceState::kRunning:
      return "running";
    case WinServiceState::kContinuePending:
      return "continue pending";
    case WinServiceState::kPausePending:
      return "pause pending";
    case WinServiceState::kPaused:
      return "paused";
  }
  return "unknown";
}

Result<RestartPlan> plan_service_restart(std::string_view name, const WinServiceFacts& facts) {
  const std::string shown(name.substr(0, 80));
  auto refuse = [&](const std::string& why) -> Result<RestartPlan> {
    return fail(ErrorCode::kDenied, "restart-windows-service leaves " + shown + " alone: " + why);
  };
  if (facts.driver || facts.start_type == WinStartType::kBoot ||
      facts.start_type == WinStartType::kSystem) {
    return refuse("it is a driver, not a service");
  }
  if (facts.start_type == WinStartType::kDisabled) {
    return refuse("it is disabled (enabling it is its owner's decision)");
  }
  switch (facts.state) {
    case WinServiceState::kRunning:
    case WinServiceState::kPaused:
      if (!facts.accepts_stop) return refuse("it does not accept a stop request");
      if (!facts.active_dependents.empty()) {
        std::string names;
        for (std::size_t i = 0; i < facts.active_dependents.size() && i < 8; ++i) {
          names += (i ? ", " : "") + facts.active_dependents[i].substr(0, 80);
        }
        if (facts.active_dependents.size() > 8) names += ", ...";
        return refuse("running services depend on it (" + names +
                      "); restarting it would stop them too");
      }
      return RestartPlan::kStopThenStart;
    case WinServiceState::kStopped:
      // ERROR_SERVICE_NEVER_STARTED (1077): not started since boot, which is no failure.
      if ((facts.win32_exit_code == 0 || facts.win32_exit_code == 1077) &&
          facts.service_exit_code == 0) {
        return refuse(
            "it is stopped and its last stop was clean (stopped on purpose, or started on "
            "demand); only a service that stopped after a failure is started");
      }
      return RestartPlan::kStart;
    default:
      return refuse("it is " + std::string(win_service_state_name(facts.state)) +
                    "; try again once it has settled");
  }
}

}  // namespace triage::agent
