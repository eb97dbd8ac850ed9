#pragma once
// Debian version ordering (deb-version(7)). Linux.

#include <string_view>

namespace triage::agent {

/// <0, 0, >0 as Debian orders versions a and b.
int compare_debian_versions(std::string_view a, std::string_view b);

}  // namespace triage::agent
