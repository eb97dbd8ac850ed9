#pragma once
// The allowed direction of includes between the product's folders, as written in
// docs/dependencies.txt: `folder: folders it may include`, `platforms: ...`,
// `generated <prefix> = <folder>`, `#` comments.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::tools {

struct LayerRules {
  /// Each listed folder ("collector/storage") and the folders its line names.
  std::map<std::string, std::vector<std::string>> depends;
  /// Each listed folder and every folder it may include: itself and the arrows followed.
  std::map<std::string, std::set<std::string>> allowed;
  /// Names of platform subfolders ("linux", "windows"): neutral code never includes them.
  std::set<std::string> platforms;
  /// Include prefixes of generated headers ("triage/v1") and the folder they count as.
  std::vector<std::pair<std::string, std::string>> generated;

  /// The folder of a file or include path ("collector/storage/sqlite/x.cpp"): the longest
  /// listed folder that holds it, or a generated prefix's folder; empty when none does.
  std::string folder_of(std::string_view path) const;
  /// The first path components of the listed folders ("agent", "collector", "shared").
  std::set<std::string> top_folders() const;
  /// Whether `path` lies in a platform subfolder (a directory named in `platforms`).
  bool in_platform_folder(std::string_view path) const;
  /// Whether code in folder `from` may include a header of folder `to`.
  bool may_include(const std::string& from, const std::string& to) const;
};

/// Parses the rules. Fails naming the line on a malformed line, a folder listed twice or
/// named without a line of its own, and on a cycle of arrows (naming it).
Result<LayerRules> parse_layer_rules(std::string_view text);

}  // namespace triage::tools
