#pragma once
// Checks the product's includes against the allowed direction (layer_rules.hpp): every
// `#include "folder/..."` of a C++ file under agent/, collector/ and shared/ must point along
// the arrows, and platform-neutral code must not include a platform subfolder's header.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tools/include_direction/layer_rules.hpp"

namespace triage::tools {

/// One include against the rules: where, and a sentence saying which edge and why.
struct IncludeViolation {
  std::string file;  ///< relative to the source root, '/'-separated
  std::size_t line = 0;
  std::string message;
};

struct IncludeReport {
  std::size_t files = 0;
  std::size_t includes = 0;  ///< includes of the product's own folders
  std::vector<IncludeViolation> violations;
};

/// Checks one file: `path` relative to the source root ("agent/actions/x.cpp"), `text` its
/// contents. Adds what it finds to `report`.
void check_file(std::string_view path, std::string_view text, const LayerRules& rules,
                IncludeReport& report);

/// Checks every C++ file (.hpp .cpp .h .cc .ipp .inc) under the rules' top folders of `root`,
/// in a stable order. Fails when a top folder cannot be read.
Result<IncludeReport> check_tree(const std::filesystem::path& root, const LayerRules& rules);

}  // namespace triage::tools
