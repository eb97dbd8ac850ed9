// service.auto_start_stopped: Windows services set to start automatically that are not running.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr std::size_t kMaxNamesShown = 10;

/// Automatic services that stop themselves once their work is done, on every Windows: a
/// stopped one is normal. (Trigger-started services are skipped by their flag.)
constexpr std::array<std::string_view, 5> kStopsByDesign = {
    "sppsvc",          // Software Protection: licensing check, then stops
    "MapsBroker",      // Downloaded Maps Manager
    "RemoteRegistry",  // stops after 10 idle minutes
    "edgeupdate",      // Microsoft Edge's updater
    "gupdate",         // Google's updater
};
constexpr std::array<std::string_view, 2> kStopsByDesignPrefixes = {
    "clr_optimization_",    // .NET native image generation
    "GoogleUpdaterService"  // Google's updater, versioned names
};

bool stops_by_design(const std::string& name) {
  auto same = [&](std::string_view known) {
    return name.size() == known.size() &&
           std::equal(name.begin(), name.end(), known.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  };
  return std::any_of(kStopsByDesign.begin(), kStopsByDesign.end(), same) ||
         std::any_of(kStopsByDesignPrefixes.begin(), kStopsByDesignPrefixes.end(),
                     [&](std::string_view prefix) { return name.starts_with(prefix); });
}

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  std::vector<const v1::ServiceUnit*> stopped;
  for (const auto& unit : context.snapshot.software().services().units()) {
    const bool automatic = unit.start_type() == v1::ServiceUnit::AUTO ||
                           unit.start_type() == v1::ServiceUnit::AUTO_DELAYED;
    const bool not_running = unit.active_state() == v1::ServiceUnit::INACTIVE ||
                             unit.active_state() == v1::ServiceUnit::FAILED;
    if (automatic && !unit.trigger_start() && not_running && !stops_by_design(unit.name()))
      stopped.push_back(&unit);
  }
  if (stopped.empty()) return;
  std::string evidence = std::to_string(stopped.size()) + " automatic service" +
                         (stopped.size() == 1 ? "" : "s") + " not running:";
  for (std::size_t i = 0; i < stopped.size() && i < kMaxNamesShown; ++i) {
    const auto& unit = *stopped[i];
    evidence += std::string(i ? ", " : " ") + unit.name();
    if (!unit.description().empty() && unit.description() != unit.name())
      evidence += " (" + unit.description() + ")";
    if (unit.exit_code() != 0) evidence += " exit code " + std::to_string(unit.exit_code());
  }
  if (stopped.size() > kMaxNamesShown)
    evidence += " and " + std::to_string(stopped.size() - kMaxNamesShown) + " more";
  const std::string subject = stopped.size() == 1 ? stopped.front()->name() : "";
  out.push_back(make_finding(
      rule, Severity::kWarning, subject,
      stopped.size() == 1 ? "Automatic service " + stopped.front()->name() + " stopped"
                          : std::to_string(stopped.size()) + " automatic services stopped",
      std::move(evidence), {"restart-windows-service", "collect-windows-log-bundle"}));
}

}  // namespace

const Rule kAutoStartStopped{
    .id = "service.auto_start_stopped",
    .default_severity = Severity::kWarning,
    .condition =
        "Windows services set to start automatically (not trigger-started, not one of the "
        "few that stop by design) are not running; one finding listing them.",
    .kb_article =
        "A service Windows should keep running has stopped: it crashed, failed at boot, or "
        "someone stopped it. What breaks depends on the service (Print Spooler: printing; "
        "Windows Update: updates; a vendor agent: its product). L1: restart it with "
        "restart-windows-service and check it stays running. L2: read the System event log "
        "(Service Control Manager events 7000, 7031, 7034) for why it stopped, check its "
        "account and dependencies, and set it to Manual if it is not needed.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
