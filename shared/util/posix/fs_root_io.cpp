// FsRoot's reads on POSIX: openat2(RESOLVE_IN_ROOT) keeps every path, links included, inside
// the root.
#include "shared/util/fs_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "shared/util/files.hpp"

namespace triage {
namespace {

std::string errno_text(std::string_view what, std::string_view path) {
  return std::string(what) + " " + std::string(path) + ": " + std::strerror(errno);
}

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// Opens `path` so that neither ".." nor symbolic links (absolute or relative) can leave the
/// root: openat2(RESOLVE_IN_ROOT) on Linux >= 5.6, lexical normalisation otherwise.
int open_in_root(const std::filesystem::path& root, bool live, std::string_view path, int flags) {
  std::string rel = relative_inside_root(path);
  if (live) return ::open(("/" + rel).c_str(), flags | O_CLOEXEC);
  int dirfd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) return -1;
  Fd dir(dirfd);
  if (rel.empty()) return ::openat(dirfd, ".", flags | O_CLOEXEC);
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) return ::openat(dirfd, rel.c_str(), flags | O_CLOEXEC);
  return static_cast<int>(fd);
}

Result<std::string> read_fd(int fd, std::string_view path, std::size_t max_bytes, bool truncate) {
  std::string out;
  // As read_file(): one allocation of the file's size instead of doubling (files under /proc
  // and /sys report size 0 and grow as before).
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    out.reserve(std::min(static_cast<std::size_t>(st.st_size), max_bytes));
  char buf[16384];
  for (;;) {
    std::size_t want = sizeof buf;
    if (truncate) want = std::min(want, max_bytes - out.size());
    if (want == 0) break;
    ssize_t n = ::read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Non-blocking record devices end with EAGAIN; /dev/kmsg reports EPIPE when records
      // were overwritten while we read.
      if (errno == EAGAIN || errno == EPIPE) break;
      return fail(errno_text("cannot read", path));
    }
    if (n == 0) break;
    if (!truncate && out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return fail("file " + std::string(path) + " is larger than " + std::to_string(max_bytes) +
                  " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

Result<std::string> FsRoot::read(std::string_view path, std::size_t max_bytes) const {
  if (live_) return read_file(resolve(path), max_bytes);
  int fd = open_in_root(root_, live_, path, O_RDONLY);
  if (fd < 0) return fail(errno_text("cannot open", path));
  Fd guard(fd);
  return read_fd(fd, path, max_bytes, false);
}

Result<std::string> FsRoot::read_prefix(std::string_view path, std::size_t max_bytes) const {
  int fd = open_in_root(root_, live_, path, O_RDONLY);
  if (fd < 0) return fail(errno_text("cannot open", path));
  Fd guard(fd);
  return read_fd(fd, path, max_bytes, true);
}

Result<std::string> FsRoot::read_available(std::string_view path, std::size_t max_bytes) const {
  int fd = open_in_root(root_, live_, path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return fail(errno_text("cannot open", path));
  Fd guard(fd);
  return read_fd(fd, path, max_bytes, true);
}

Result<std::vector<std::string>> FsRoot::list_dir(std::string_view path) const {
  int fd = open_in_root(root_, live_, path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return fail(errno_text("cannot list", path));
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return fail(errno_text("cannot list", path));
  }
  std::unique_ptr<DIR, int (*)(DIR*)> guard(dir, ::closedir);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    names.emplace_back(n);
  }
  return names;
}

Result<std::string> FsRoot::read_link(std::string_view path) const {
  int fd = open_in_root(root_, live_, path, O_PATH | O_NOFOLLOW);
  if (fd < 0) return fail(errno_text("cannot open", path));
  Fd guard(fd);
  char buf[4096];
  ssize_t n = ::readlinkat(fd, "", buf, sizeof buf);
  if (n < 0) return fail(errno_text("cannot read link", path));
  return std::string(buf, static_cast<std::size_t>(n));
}

FileInfo FsRoot::stat(std::string_view path, bool follow_symlinks) const {
  FileInfo info;
  int fd = open_in_root(root_, live_, path, O_PATH | (follow_symlinks ? 0 : O_NOFOLLOW));
  if (fd < 0) return info;
  Fd guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return info;
  info.exists = true;
  info.is_directory = S_ISDIR(st.st_mode);
  info.is_regular = S_ISREG(st.st_mode);
  info.is_symlink = S_ISLNK(st.st_mode);
  info.size_bytes = static_cast<std::uint64_t>(st.st_size);
  info.mtime_unix_ms =
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  info.uid = st.st_uid;
  return info;
}

}  // namespace triage
