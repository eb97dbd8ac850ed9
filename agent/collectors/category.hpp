#pragma once
// The six diagnostics categories and their user-facing names ("--only network,health").

#include <optional>
#include <span>
#include <string_view>

namespace triage::agent {

/// A diagnostics category; each collector belongs to exactly one.
enum class Category { kSystem, kHardware, kSoftware, kNetwork, kHealth, kSecurity };

/// Lower-case name used on the command line, in config files and in CollectorStatus.
std::string_view category_name(Category category);

/// Parses a category name (case-sensitive, as category_name() prints it).
std::optional<Category> parse_category(std::string_view name);

/// All categories in display order.
std::span<const Category> all_categories();

}  // namespace triage::agent
