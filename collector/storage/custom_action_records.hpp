#pragma once
// Custom remediation actions an admin manages over the API, as they cross the storage
// interface: the definition text exactly as uploaded (its SHA-256 is the definition hash).

#include <cstdint>
#include <string>

#include "collector/storage/records.hpp"

namespace triage::collector {

struct CustomAction {
  std::string id;
  std::uint32_t version = 0;
  std::string definition;  ///< the TOML text, byte for byte
  std::string sha256;      ///< lowercase hex SHA-256 of `definition`
  std::string created_by;
  std::string updated_by;
  TimePoint created_at;
  TimePoint updated_at;
};

}  // namespace triage::collector
