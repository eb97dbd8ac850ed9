// security.bitlocker_off: the system volume is not protected by BitLocker.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& snapshot = context.snapshot;
  for (const auto& volume : snapshot.security().encrypted_volumes()) {
    if (volume.type() != "BitLocker" || !volume.system_volume() || !volume.has_protection_on() ||
        volume.protection_on())
      continue;
    // A stolen laptop's disk can be read; a server in a locked room is a smaller risk.
    const bool workstation = snapshot.system().windows().product_type() == "workstation";
    // Fully encrypted but unprotected: protection was suspended (for a firmware or BIOS update)
    // and never resumed; the key sits in clear on the disk.
    const bool suspended = volume.has_encrypted_percent() && volume.encrypted_percent() >= 100.0F;
    std::string evidence = volume.name() + ": BitLocker protection off";
    if (suspended) {
      evidence += "; the volume is encrypted but protection is suspended";
    } else if (volume.has_encrypted_percent()) {
      evidence += "; " + format_percent(volume.encrypted_percent()) + " encrypted";
    }
    if (!volume.method().empty()) evidence += "; " + volume.method();
    if (!snapshot.system().windows().product_type().empty())
      evidence += "; " + snapshot.system().windows().product_type();
    std::vector<std::string> actions;
    // Protection suspended for a number of restarts resumes at the next one.
    if (suspended) actions.emplace_back("reboot-windows");
    out.push_back(make_finding(rule, workstation ? Severity::kWarning : Severity::kInfo,
                               volume.name(),
                               suspended ? "BitLocker suspended on " + volume.name()
                                         : "System volume " + volume.name() + " not encrypted",
                               std::move(evidence), std::move(actions)));
  }
}

}  // namespace

const Rule kBitlockerOff{
    .id = "security.bitlocker_off",
    .default_severity = Severity::kWarning,
    .condition =
        "BitLocker protection is off on the system volume: warning on a workstation, info "
        "on a server.",
    .kb_article =
        "Anyone holding the disk can read it: a lost or stolen laptop leaks its data. When the "
        "volume is encrypted but protection is suspended (a BIOS or firmware update suspends "
        "it), the key is stored in clear until protection resumes. L1: for a suspended volume, "
        "restart (suspension usually ends at the next restart) or run manage-bde -protectors "
        "-enable C:. L2: turn BitLocker on by policy (Intune, Group Policy) with the recovery "
        "key escrowed to Entra ID or Active Directory first; check the TPM is present and "
        "ready.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
