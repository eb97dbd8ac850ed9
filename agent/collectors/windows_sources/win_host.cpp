#include "agent/collectors/windows_sources/win_host.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace triage::agent {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string RegistryKey::text(std::string_view name) const {
  auto it = values.find(name);
  if (it == values.end()) return {};
  const auto& v = it->second;
  switch (v.type) {
    case RegistryValue::Type::kString:
    case RegistryValue::Type::kExpandString:
      return v.text;
    case RegistryValue::Type::kDword:
    case RegistryValue::Type::kQword:
      return std::to_string(v.number);
    default:
      return {};
  }
}

std::optional<std::uint64_t> RegistryKey::number(std::string_view name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  const auto& v = it->second;
  if (v.type == RegistryValue::Type::kDword || v.type == RegistryValue::Type::kQword)
    return v.number;
  if (v.type == RegistryValue::Type::kString) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
    if (ec == std::errc() && end == v.text.data() + v.text.size() && !v.text.empty()) return n;
  }
  return std::nullopt;
}

}  // namespace triage::agent
