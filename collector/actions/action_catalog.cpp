#include "collector/actions/action_catalog.hpp"

#include <algorithm>

#include "shared/util/files.hpp"

namespace triage::collector {

namespace {

Result<void> add(std::vector<ActionDefinition>& out, ActionDefinition def) {
  for (const auto& existing : out) {
    if (existing.id == def.id) {
      return fail(ErrorCode::kConflict, "action `" + def.id + "` is defined twice (" +
                                            existing.source + " and " + def.source + ")");
    }
  }
  out.push_back(std::move(def));
  return {};
}

}  // namespace

v1::Risk to_proto_risk(ActionRisk risk) {
  switch (risk) {
    case ActionRisk::kLow:
      return v1::RISK_LOW;
    case ActionRisk::kMedium:
      return v1::RISK_MEDIUM;
    case ActionRisk::kHigh:
      return v1::RISK_HIGH;
  }
  return v1::RISK_HIGH;
}

Result<ActionCatalog> ActionCatalog::load(const std::filesystem::path& custom_dir) {
  std::vector<ActionDefinition> definitions;
  for (const auto& file : builtin_definitions()) {
    auto def = parse_action_definition(file.text, "builtin/" + std::string(file.name));
    if (!def) return tl::unexpected(def.error());
    def->source = "builtin";
    if (auto r = add(definitions, std::move(*def)); !r) return tl::unexpected(r.error());
  }
  if (!custom_dir.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(custom_dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".toml") {
        files.push_back(entry.path());
      }
    }
    if (ec) return fail("action directory " + custom_dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      auto text = read_file(path, kMaxDefinitionBytes);
      if (!text) return fail("action definition " + path.string(), text.error());
      auto def = parse_action_definition(*text, path.string());
      if (!def) return tl::unexpected(def.error());
      if (auto r = add(definitions, std::move(*def)); !r) return tl::unexpected(r.error());
    }
  }
  std::sort(definitions.begin(), definitions.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return ActionCatalog(std::move(definitions));
}

const ActionDefinition* ActionCatalog::find(std::string_view id) const {
  for (const auto& def : definitions_) {
    if (def.id == id) return &def;
  }
  return nullptr;
}

v1::CatalogManifest ActionCatalog::manifest(std::int64_t issued_at_unix_ms) const {
  v1::CatalogManifest out;
  out.set_issued_at_unix_ms(issued_at_unix_ms);
  for (const auto& def : definitions_) {
    auto* entry = out.add_entries();
    entry->set_action_id(def.id);
    entry->set_action_version(def.version);
    entry->set_definition_sha256(def.sha256_raw);
    entry->set_risk(to_proto_risk(def.risk));
  }
  return out;
}

}  // namespace triage::collector
