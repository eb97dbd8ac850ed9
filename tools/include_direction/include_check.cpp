#include "tools/include_direction/include_check.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <system_error>

namespace triage::tools {

namespace {

bool is_cpp_file(const std::filesystem::path& path) {
  static const std::vector<std::string> kExtensions{".hpp", ".cpp", ".h", ".cc", ".ipp", ".inc"};
  return std::find(kExtensions.begin(), kExtensions.end(), path.extension().string()) !=
         kExtensions.end();
}

}  // namespace

void check_file(std::string_view path, std::string_view text, const LayerRules& rules,
                IncludeReport& report) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*["<]([^">]+)[">])");
  const auto tops = rules.top_folders();
  const auto from = rules.folder_of(path);
  const bool from_platform = rules.in_platform_folder(path);
  ++report.files;
  auto add = [&](std::size_t line, std::string message) {
    report.violations.push_back({std::string(path), line, std::move(message)});
  };
  if (from.empty()) {
    add(0, "the folder of this file has no line in the dependency rules; give it one");
    return;
  }
  std::istringstream in{std::string(text)};
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::smatch match;
    if (!std::regex_search(line, match, kInclude)) continue;
    const std::string target = match[1];
    const auto to = rules.folder_of(target);
    if (to.empty()) {
      // Not one of ours (a system or third-party header), unless it claims to be.
      if (tops.count(target.substr(0, target.find('/'))) && target.find('/') != std::string::npos) {
        add(number, "includes \"" + target + "\", which is in no folder of the dependency rules");
      }
      continue;
    }
    ++report.includes;
    if (!from_platform && rules.in_platform_folder(target)) {
      add(number, "includes \"" + target +
                      "\": platform-neutral code must not include a platform folder's header; "
                      "reach it through an interface of its own folder");
      continue;
    }
    if (!rules.may_include(from, to)) {
      add(number, "includes \"" + target + "\": forbidden edge " + from + " -> " + to + " (" +
                      from + " may not depend on " + to + ")");
    }
  }
}

Result<IncludeReport> check_tree(const std::filesystem::path& root, const LayerRules& rules) {
  std::vector<std::string> files;
  for (const auto& top : rules.top_folders()) {
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(root / top, ec), end;
    if (ec) return fail("reading " + (root / top).string() + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) return fail("reading " + (root / top).string() + ": " + ec.message());
      const auto name = it->path().filename().string();
      // Installed npm packages (the console's vendored libraries) are not ours.
      if (it->is_directory() && (name == "node_modules" || name.starts_with("."))) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && is_cpp_file(it->path())) {
        files.push_back(it->path().lexically_relative(root).generic_string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  IncludeReport report;
  for (const auto& file : files) {
    std::ifstream in(root / file, std::ios::binary);
    if (!in) return fail("reading " + (root / file).string());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    check_file(file, text, rules, report);
  }
  return report;
}

}  // namespace triage::tools
