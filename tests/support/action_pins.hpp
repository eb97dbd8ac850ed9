#pragma once
// Pinning test actions in an agent's local policy: custom definitions run on an endpoint only
// when `policy.allow_custom` names the SHA-256 of their file.

#include <initializer_list>
#include <string>
#include <string_view>

#include "shared/pki/secrets.hpp"

namespace triage::testing {

/// "sha256:<hex>" of a definition file's exact bytes.
inline std::string definition_pin(std::string_view definition) {
  return "sha256:" + pki::to_hex(pki::sha256_raw(definition));
}

/// An `allow_custom = [...]` line for a [policy] section pinning each definition.
inline std::string allow_custom_line(std::initializer_list<std::string_view> definitions) {
  std::string line = "allow_custom = [";
  for (auto d : definitions) {
    line += (line.back() == '[' ? "\"" : ", \"") + definition_pin(d) + "\"";
  }
  return line + "]\n";
}

}  // namespace triage::testing
