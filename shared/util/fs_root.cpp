#include "shared/util/fs_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "shared/util/files.hpp"

namespace triage {
namespace {

std::string errno_text(std::string_view what, std::string_view path) {
  return std::string(what) + " " + std::string(path) + ": " + std::strerror(errno);
}

/// Lexically normalised path relative to the root: "/a/../../b" -> "b"; "" is the root.
std::string relative_inside(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
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
  std::string rel = relative_inside(path);
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

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += '/';
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  out += name;
  return out;
}

FsRoot::FsRoot(std::filesystem::path root) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(root, ec);
  root_ = ec ? root.lexically_normal() : abs.lexically_normal();
  auto text = root_.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  root_ = text;
  live_ = (text == "/");
}

std::filesystem::path FsRoot::resolve(std::string_view path) const {
  std::string rel = relative_inside(path);
  if (rel.empty()) return root_;
  return root_ / rel;
}

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

std::optional<std::string> FsRoot::read_attr(std::string_view path, std::size_t max_bytes) const {
  auto text = read_prefix(path, max_bytes);
  if (!text) return std::nullopt;
  std::string& s = *text;
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::string();
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::optional<std::uint64_t> FsRoot::read_uint(std::string_view path) const {
  auto text = read_attr(path, 64);
  if (!text || text->empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size()) return std::nullopt;
  return v;
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
