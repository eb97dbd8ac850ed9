// FsRoot's reads on Windows, through std::filesystem. ".." cannot climb above the root
// (lexical resolution, as on POSIX), but unlike openat2 on Linux a symbolic link or junction
// inside a --sysroot tree is followed wherever it points: fixture trees used on Windows must
// not contain links. The Windows collectors (registry, WMI, Win32) read little from files.
#include "shared/util/fs_root.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>

namespace triage {
namespace {

Result<std::string> read_stream(const std::filesystem::path& file, std::string_view path,
                                std::size_t max_bytes, bool truncate) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("cannot open " + std::string(path));
  std::string out;
  char buf[16384];
  while (in) {
    std::size_t want = sizeof buf;
    if (truncate) want = std::min(want, max_bytes - out.size());
    if (want == 0) break;
    in.read(buf, static_cast<std::streamsize>(want));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (!truncate && out.size() + n > max_bytes) {
      return fail("file " + std::string(path) + " is larger than " + std::to_string(max_bytes) +
                  " bytes");
    }
    out.append(buf, n);
  }
  if (in.bad()) return fail("cannot read " + std::string(path));
  return out;
}

}  // namespace

Result<std::string> FsRoot::read(std::string_view path, std::size_t max_bytes) const {
  return read_stream(resolve(path), path, max_bytes, false);
}

Result<std::string> FsRoot::read_prefix(std::string_view path, std::size_t max_bytes) const {
  return read_stream(resolve(path), path, max_bytes, true);
}

Result<std::string> FsRoot::read_available(std::string_view path, std::size_t max_bytes) const {
  return read_stream(resolve(path), path, max_bytes, true);
}

Result<std::vector<std::string>> FsRoot::list_dir(std::string_view path) const {
  std::error_code ec;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(resolve(path), ec), end; !ec && it != end;
       it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return fail("cannot list " + std::string(path) + ": " + ec.message());
  return names;
}

Result<std::string> FsRoot::read_link(std::string_view path) const {
  std::error_code ec;
  auto target = std::filesystem::read_symlink(resolve(path), ec);
  if (ec) return fail("cannot read link " + std::string(path) + ": " + ec.message());
  return target.generic_string();
}

FileInfo FsRoot::stat(std::string_view path, bool follow_symlinks) const {
  FileInfo info;
  std::error_code ec;
  const auto file = resolve(path);
  const auto status = follow_symlinks ? std::filesystem::status(file, ec)
                                      : std::filesystem::symlink_status(file, ec);
  if (ec || !std::filesystem::exists(status)) return info;
  info.exists = true;
  info.is_directory = std::filesystem::is_directory(status);
  info.is_regular = std::filesystem::is_regular_file(status);
  info.is_symlink = std::filesystem::is_symlink(status);
  if (info.is_regular) info.size_bytes = std::filesystem::file_size(file, ec);
  auto mtime = std::filesystem::last_write_time(file, ec);
  if (!ec) {
    auto system = std::chrono::file_clock::to_sys(mtime);
    info.mtime_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(system.time_since_epoch()).count();
  }
  return info;
}

}  // namespace triage
