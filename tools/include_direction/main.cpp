// check_include_direction <source root> <rules file>: lists every include of the product
// against the direction in the rules file (docs/dependencies.txt) as `file:line: message`,
// and exits 1 when there is one (2 when the rules or the tree cannot be read).

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "tools/include_direction/include_check.hpp"
#include "tools/include_direction/layer_rules.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: check_include_direction <source root> <rules file>\n";
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const std::string rules_file = argv[2];
  std::ifstream in(rules_file, std::ios::binary);
  if (!in) {
    std::cerr << rules_file << ": cannot be read\n";
    return 2;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rules = triage::tools::parse_layer_rules(text);
  if (!rules) {
    std::cerr << rules_file << ": " << rules.error().message << "\n";
    return 2;
  }
  auto report = triage::tools::check_tree(root, *rules);
  if (!report) {
    std::cerr << report.error().message << "\n";
    return 2;
  }
  for (const auto& v : report->violations) {
    std::cerr << v.file << ":" << v.line << ": " << v.message << "\n";
  }
  if (!report->violations.empty()) {
    std::cerr << report->violations.size() << " include(s) against the direction in " << rules_file
              << " (" << report->files << " files checked)\n";
    return 1;
  }
  std::cout << report->files << " files, " << report->includes
            << " includes of the product's folders: all along " << rules_file << "\n";
  return 0;
}
