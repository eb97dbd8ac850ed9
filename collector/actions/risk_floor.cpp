#include "collector/actions/risk_floor.hpp"

#include <algorithm>
#include <array>

namespace triage::collector {

namespace {

// Print or report only, whatever the arguments (no option of these writes, deletes, sends or
// runs something else). Exact paths: another spelling of the same file is simply medium.
constexpr std::array<std::string_view, 22> kLowRiskPrograms = {
    "/bin/echo",       "/usr/bin/echo",  "/bin/true",      "/usr/bin/true",  "/bin/false",
    "/usr/bin/false",  "/bin/uname",     "/usr/bin/uname", "/bin/df",        "/usr/bin/df",
    "/usr/bin/uptime", "/usr/bin/free",  "/bin/lsblk",     "/usr/bin/lsblk", "/usr/bin/id",
    "/usr/bin/whoami", "/usr/bin/nproc", "/usr/bin/lscpu", "/usr/bin/lsusb", "/usr/bin/lspci",
    "/bin/pwd",        "/usr/bin/pwd",
};

bool rank_below(ActionRisk a, ActionRisk b) { return static_cast<int>(a) < static_cast<int>(b); }

}  // namespace

std::span<const std::string_view> low_risk_programs() { return kLowRiskPrograms; }

ActionRisk risk_floor(std::string_view argv0) {
  const bool listed =
      std::find(kLowRiskPrograms.begin(), kLowRiskPrograms.end(), argv0) != kLowRiskPrograms.end();
  return listed ? ActionRisk::kLow : ActionRisk::kMedium;
}

Result<void> check_risk_floor(const ActionDefinition& def) {
  auto check = [&](const std::vector<std::string>& argv, const char* what) -> Result<void> {
    if (argv.empty()) return {};
    const auto floor = risk_floor(argv.front());
    if (!rank_below(def.risk, floor)) return {};
    return fail(ErrorCode::kInvalid,
                "`risk`: action `" + def.id + "` declares risk \"" + action_risk_name(def.risk) +
                    "\", but its " + what + " runs `" + argv.front() +
                    "` as root, which is not on the list of programs that only report "
                    "(docs/actions.md, \"Risk floor\"): declare risk = \"" +
                    action_risk_name(floor) + "\" or higher");
  };
  if (auto r = check(def.argv, "argv"); !r) return r;
  if (def.post_check) return check(def.post_check->argv, "post_check argv");
  return {};
}

}  // namespace triage::collector
