// security.antivirus_signatures_old: the antivirus has not updated its signatures for days.
#include <string>

#include "collector/findings/evidence_format.hpp"
#include "collector/findings/rules/rules.hpp"

namespace triage::collector::rules {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
/// Defender fetches signatures several times a day; three days without means updates fail.
constexpr std::int64_t kWarningAgeMs = 3 * kDayMs;
constexpr std::int64_t kCriticalAgeMs = 7 * kDayMs;

void evaluate(const Rule& rule, const RuleContext& context, std::vector<Finding>& out) {
  const auto& security = context.snapshot.security();
  if (!security.has_antivirus()) return;
  const auto& av = security.antivirus();
  if (av.signatures_updated_unix_ms() <= 0) return;
  const std::int64_t age = context.as_of_unix_ms - av.signatures_updated_unix_ms();
  if (age <= kWarningAgeMs) return;
  const std::string product = av.product().empty() ? "the antivirus" : av.product();
  std::string evidence = product + " signatures";
  if (!av.signature_version().empty()) evidence += " " + av.signature_version();
  evidence += " updated " + format_duration_ms(age) + " before the snapshot";
  if (!av.engine_version().empty()) evidence += "; engine " + av.engine_version();
  out.push_back(make_finding(rule, age >= kCriticalAgeMs ? Severity::kCritical : Severity::kWarning,
                             product, "Antivirus signatures " + format_duration_ms(age) + " old",
                             std::move(evidence), {"windows-update-scan"}));
}

}  // namespace

const Rule kAntivirusSignaturesOld{
    .id = "security.antivirus_signatures_old",
    .default_severity = Severity::kWarning,
    .condition =
        "The antivirus signatures were last updated more than 3 days before the snapshot "
        "(critical at 7 days).",
    .kb_article =
        "The antivirus does not know recent malware. Defender gets its signatures through "
        "Windows Update (or WSUS, or its own fallback sources) several times a day; old ones "
        "mean that path fails: no internet or a proxy in the way, a WSUS server that does not "
        "approve definition updates, or a broken update service. L1: run windows-update-scan, "
        "which also fetches signatures, and check the machine reaches the internet. L2: run "
        "MpCmdRun -SignatureUpdate to see the error, check the signature fallback order and "
        "the WSUS approvals for definition updates.",
    .evaluate = &evaluate,
};

}  // namespace triage::collector::rules
