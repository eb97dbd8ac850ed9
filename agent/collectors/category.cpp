#include "agent/collectors/category.hpp"

#include <array>

namespace triage::agent {
namespace {

constexpr std::array kCategories = {Category::kSystem,  Category::kHardware, Category::kSoftware,
                                    Category::kNetwork, Category::kHealth,   Category::kSecurity};

}  // namespace

std::string_view category_name(Category category) {
  switch (category) {
    case Category::kSystem:
      return "system";
    case Category::kHardware:
      return "hardware";
    case Category::kSoftware:
      return "software";
    case Category::kNetwork:
      return "network";
    case Category::kHealth:
      return "health";
    case Category::kSecurity:
      return "security";
  }
  return "unknown";
}

std::optional<Category> parse_category(std::string_view name) {
  for (Category c : kCategories) {
    if (category_name(c) == name) return c;
  }
  return std::nullopt;
}

std::span<const Category> all_categories() { return kCategories; }

}  // namespace triage::agent
