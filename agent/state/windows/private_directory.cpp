#include "agent/state/private_directory.hpp"

#include "agent/state/windows/state_directory.hpp"
#include "shared/util/files.hpp"

namespace triage::agent {

Result<void> ensure_private_directory(const std::filesystem::path& dir) {
  // prepare_state_directory() creates the folder itself (its ACL from the start), its parents
  // not: they are ordinary folders such as %ProgramData%.
  if (dir.has_parent_path()) {
    if (auto r = ensure_directory(dir.parent_path()); !r) return r;
  }
  return prepare_state_directory(dir);
}

}  // namespace triage::agent
