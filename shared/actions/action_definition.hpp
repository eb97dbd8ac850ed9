#pragma once
// One remediation action as an admin declares it: a TOML file (docs/actions.md) with an argv
// template whose placeholders are whole elements ("{unit}"), typed parameters, limits, risk,
// who may run it and what it fixes. The definition's identity is the SHA-256 of the file's
// exact bytes. Shared by both sides: the collector renders orders from it, and the agent
// renders the same definition itself and runs an order only if the two agree.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"
#include "shared/util/safe_regex.hpp"

namespace triage::actions {

enum class ActionRisk { kLow, kMedium, kHigh };

const char* action_risk_name(ActionRisk risk);
std::optional<ActionRisk> parse_action_risk(std::string_view text);

/// Who must agree before an order runs, besides the requester.
enum class ApprovalRule { kNone, kSecondPerson };

enum class ParamType { kEnum, kInteger, kRegex };

/// A typed parameter. Values are validated on the collector before anything is signed.
struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kRegex;
  std::string description;
  std::vector<std::string> values;  ///< kEnum
  std::int64_t min = 0;             ///< kInteger
  std::int64_t max = 0;             ///< kInteger
  std::string pattern;              ///< kRegex: anchored ^...$
  std::size_t max_length = 0;       ///< kRegex
  SafeRegex compiled;               ///< kRegex: linear-time (RE2), never backtracks
};

/// A program to run after the action, proving it fixed the problem.
struct PostCheckSpec {
  std::vector<std::string> argv;  ///< template, like the action's
  int expect_exit_code = 0;
  std::uint32_t timeout_s = 10;
};

/// The action's stdout is a file (binary), stored as a ticket attachment, not as text output.
struct StdoutAttachmentSpec {
  std::string name;          ///< file name of the attachment
  std::string content_type;  ///< e.g. application/gzip
};

struct ActionDefinition {
  std::string id;
  std::uint32_t version = 1;
  std::string title;
  std::string description;
  std::string platform = "linux";
  /// argv[0] is absolute; "{name}" elements are replaced by a parameter's value.
  std::vector<std::string> argv;
  std::vector<ParamSpec> params;
  std::uint32_t timeout_s = 60;
  std::uint64_t output_cap_bytes = 64 * 1024;
  ActionRisk risk = ActionRisk::kLow;
  /// "technician", "senior" or "admin" (the collector maps it to its roles).
  std::string min_role = "technician";
  ApprovalRule approval = ApprovalRule::kNone;
  /// Findings rule ids this action may fix (collector/findings).
  std::vector<std::string> fixes;
  std::optional<PostCheckSpec> post_check;
  std::optional<StdoutAttachmentSpec> stdout_attachment;
  /// Lowercase hex SHA-256 of the definition file's bytes, and the same 32 bytes raw.
  std::string sha256;
  std::string sha256_raw;
  /// "builtin" or the file it was read from.
  std::string source;
  /// The definition file's exact bytes (what `sha256` is the hash of).
  std::string text;

  const ParamSpec* param(std::string_view name) const;
  /// High risk always needs a second person, whatever the file says.
  bool needs_approval() const;
};

/// Limits every definition must stay within.
inline constexpr std::uint32_t kMaxActionTimeoutS = 3600;
inline constexpr std::uint64_t kMaxOutputCapBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxArgvElements = 64;
inline constexpr std::size_t kMaxDefinitionBytes = 64 * 1024;

/// Parses and validates one definition file. Errors name the origin and the key.
Result<ActionDefinition> parse_action_definition(std::string_view text, const std::string& origin);

}  // namespace triage::actions
