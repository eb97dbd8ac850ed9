#include "agent/state/private_directory.hpp"

#include "shared/util/files.hpp"

namespace triage::agent {

Result<void> ensure_private_directory(const std::filesystem::path& dir) {
  return ensure_directory(dir, 0700);
}

}  // namespace triage::agent
