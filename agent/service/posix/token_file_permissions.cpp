// POSIX: the token file must be a regular file owned by the effective user and not writable by
// group or others (lstat: a symlink is refused).
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "agent/service/token_file_permissions.hpp"

namespace triage::agent {

// The token enrolls a device in the fleet: a file another local user could have written would
// let them choose which token (and so which enrollment) this root daemon uses.
Result<void> check_token_file_permissions(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return fail("token file " + path.string() + ": cannot stat");
  if (!S_ISREG(st.st_mode)) return fail("token file " + path.string() + ": not a regular file");
  if (st.st_uid != ::geteuid()) {
    return fail("token file " + path.string() + ": owned by uid " + std::to_string(st.st_uid) +
                ", expected " + std::to_string(::geteuid()) + " (chown it, mode 0600)");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 07777);
    return fail("token file " + path.string() + ": mode 0" + mode.str() +
                " lets group or others write it (chmod 0600)");
  }
  return {};
}

}  // namespace triage::agent
