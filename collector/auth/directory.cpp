#include "collector/auth/directory.hpp"

#include <algorithm>

namespace triage::collector {

std::optional<Role> role_for_groups(const std::vector<std::string>& groups,
                                    const RoleGroups& role_groups) {
  std::vector<std::string> held;
  held.reserve(groups.size());
  for (const auto& g : groups) held.push_back(normalize_dn(g));
  // Highest first: a person in both the technicians' and the admins' group is an admin.
  for (int r = static_cast<int>(role_groups.size()) - 1; r >= 0; --r) {
    for (const auto& mapped : role_groups[static_cast<std::size_t>(r)]) {
      if (std::find(held.begin(), held.end(), normalize_dn(mapped)) != held.end()) {
        return static_cast<Role>(r);
      }
    }
  }
  return std::nullopt;
}

std::string normalize_dn(std::string_view dn) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  const auto is_separator = [](char c) { return c == ',' || c == '=' || c == '+'; };
  std::string out;
  out.reserve(dn.size());
  for (std::size_t i = 0; i < dn.size(); ++i) {
    char c = dn[i];
    if (is_space(c)) {
      // Kept only inside a value: not at either end, not next to a separator.
      std::size_t next = i;
      while (next < dn.size() && is_space(dn[next])) ++next;
      const bool at_edge = out.empty() || next == dn.size();
      const bool by_separator = (!out.empty() && is_separator(out.back())) ||
                                (next < dn.size() && is_separator(dn[next]));
      if (!at_edge && !by_separator) out.push_back(' ');
      i = next - 1;
      continue;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

std::string escape_filter_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '*':
        out += "\\2a";
        break;
      case '(':
        out += "\\28";
        break;
      case ')':
        out += "\\29";
        break;
      case '\\':
        out += "\\5c";
        break;
      case '\0':
        out += "\\00";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string fill_filter(std::string_view pattern, std::string_view name, std::string_view value) {
  const std::string placeholder = "{" + std::string(name) + "}";
  const std::string escaped = escape_filter_value(value);
  std::string out;
  std::size_t from = 0;
  for (;;) {
    auto at = pattern.find(placeholder, from);
    if (at == std::string_view::npos) break;
    out.append(pattern.substr(from, at - from));
    out += escaped;
    from = at + placeholder.size();
  }
  out.append(pattern.substr(from));
  return out;
}

}  // namespace triage::collector
