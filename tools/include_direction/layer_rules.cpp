#include "tools/include_direction/layer_rules.hpp"

#include <algorithm>
#include <functional>
#include <sstream>

namespace triage::tools {

namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// "a/b" holds "a/b/c.hpp" and "a/b", not "a/bc".
bool holds(std::string_view folder, std::string_view path) {
  return path.size() >= folder.size() && path.substr(0, folder.size()) == folder &&
         (path.size() == folder.size() || path[folder.size()] == '/');
}

// The first cycle of arrows found, "a -> b -> a"; empty when there is none.
std::string find_cycle(const std::map<std::string, std::vector<std::string>>& depends) {
  enum class Mark { kNone, kOnPath, kDone };
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;
  std::string cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& folder) {
    auto& mark = marks[folder];
    if (mark == Mark::kDone) return false;
    if (mark == Mark::kOnPath) {
      auto it = std::find(path.begin(), path.end(), folder);
      for (; it != path.end(); ++it) cycle += *it + " -> ";
      cycle += folder;
      return true;
    }
    mark = Mark::kOnPath;
    path.push_back(folder);
    for (const auto& next : depends.at(folder)) {
      if (visit(next)) return true;
    }
    path.pop_back();
    marks[folder] = Mark::kDone;
    return false;
  };
  for (const auto& [folder, _] : depends) {
    if (visit(folder)) return cycle;
  }
  return {};
}

}  // namespace

std::string LayerRules::folder_of(std::string_view path) const {
  for (const auto& [prefix, folder] : generated) {
    if (holds(prefix, path)) return folder;
  }
  std::string best;
  for (const auto& [folder, _] : depends) {
    if (holds(folder, path) && folder.size() > best.size()) best = folder;
  }
  return best;
}

std::set<std::string> LayerRules::top_folders() const {
  std::set<std::string> tops;
  for (const auto& [folder, _] : depends) tops.insert(folder.substr(0, folder.find('/')));
  return tops;
}

bool LayerRules::in_platform_folder(std::string_view path) const {
  // Every component but the file name.
  for (auto slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/')) {
    if (platforms.count(std::string(path.substr(0, slash)))) return true;
    path.remove_prefix(slash + 1);
  }
  return false;
}

bool LayerRules::may_include(const std::string& from, const std::string& to) const {
  auto it = allowed.find(from);
  return it != allowed.end() && it->second.count(to) > 0;
}

Result<LayerRules> parse_layer_rules(std::string_view text) {
  LayerRules rules;
  std::map<std::string, std::size_t> listed_on;
  std::istringstream in{std::string(text)};
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const auto where = "line " + std::to_string(number) + ": ";
    line = line.substr(0, line.find('#'));
    if (words(line).empty()) continue;
    auto colon = line.find(':');
    auto head = words(line.substr(0, colon));
    if (colon == std::string::npos) {
      // generated <prefix> = <folder>
      auto w = words(line);
      if (w.size() != 4 || w[0] != "generated" || w[2] != "=") {
        return fail(ErrorCode::kInvalid, where +
                                             "expected `folder: folders`, `platforms: names` or "
                                             "`generated <prefix> = <folder>`");
      }
      rules.generated.emplace_back(w[1], w[3]);
      continue;
    }
    if (head.size() != 1) {
      return fail(ErrorCode::kInvalid, where + "expected one folder before `:`");
    }
    auto names = words(line.substr(colon + 1));
    if (head[0] == "platforms") {
      rules.platforms.insert(names.begin(), names.end());
      continue;
    }
    if (!listed_on.emplace(head[0], number).second) {
      return fail(ErrorCode::kInvalid, where + "folder " + head[0] + " is listed already on line " +
                                           std::to_string(listed_on[head[0]]));
    }
    rules.depends[head[0]] = std::move(names);
  }
  for (const auto& [folder, deps] : rules.depends) {
    for (const auto& dep : deps) {
      if (!rules.depends.count(dep)) {
        return fail(ErrorCode::kInvalid, "line " + std::to_string(listed_on[folder]) + ": " +
                                             folder + " names " + dep +
                                             ", which has no line of its own");
      }
    }
  }
  for (const auto& [prefix, folder] : rules.generated) {
    if (!rules.depends.count(folder)) {
      return fail(ErrorCode::kInvalid, "generated " + prefix + " counts as " + folder +
                                           ", which has no line of its own");
    }
  }
  if (auto cycle = find_cycle(rules.depends); !cycle.empty()) {
    return fail(ErrorCode::kInvalid, "the arrows form a cycle: " + cycle);
  }
  for (const auto& [folder, _] : rules.depends) {
    auto& reach = rules.allowed[folder];
    std::vector<std::string> todo{folder};
    while (!todo.empty()) {
      auto next = todo.back();
      todo.pop_back();
      if (!reach.insert(next).second) continue;
      for (const auto& dep : rules.depends.at(next)) todo.push_back(dep);
    }
  }
  return rules;
}

}  // namespace triage::tools
