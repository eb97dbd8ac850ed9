#pragma once
// The actions this collector can order: the built-ins embedded in the binary
// (shared/actions/builtin/*.toml) plus an admin-managed directory of definition files,
// loaded at start. An id defined twice, or a file that does not validate, stops the start
// with a message naming it.

#include <filesystem>
#include <string_view>
#include <vector>

#include "collector/actions/action_definition.hpp"
#include "shared/actions/builtin_actions.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/order.pb.h"

namespace triage::collector {

class ActionCatalog {
 public:
  /// The built-ins, plus every `*.toml` in `custom_dir` when it is not empty.
  static Result<ActionCatalog> load(const std::filesystem::path& custom_dir = {});
  /// A catalog of exactly these definitions (tests).
  explicit ActionCatalog(std::vector<ActionDefinition> definitions = {})
      : definitions_(std::move(definitions)) {}

  /// The definition of `id`, or null.
  const ActionDefinition* find(std::string_view id) const;
  /// Every definition, sorted by id.
  const std::vector<ActionDefinition>& all() const { return definitions_; }
  /// What the agent is told (ids, versions, definition hashes, risks).
  v1::CatalogManifest manifest(std::int64_t issued_at_unix_ms) const;

 private:
  std::vector<ActionDefinition> definitions_;
};

using actions::builtin_definitions;
using actions::EmbeddedDefinition;

/// The proto risk of a catalog risk.
v1::Risk to_proto_risk(ActionRisk risk);

}  // namespace triage::collector
