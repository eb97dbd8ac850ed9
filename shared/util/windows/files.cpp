// File helpers on Windows: bounded reads, and atomic writes (a temporary file flushed to disk,
// then MoveFileExW over the target). Windows has no mode bits: who may read a file is its
// directory's inherited ACL (the agent's state directory is restricted to SYSTEM and
// Administrators), so `mode` is not applied here.
#include "shared/util/files.hpp"

#include <windows.h>

#include <fstream>
#include <system_error>

namespace triage {
namespace {

std::string last_error_text(const std::filesystem::path& path, std::string_view what) {
  const auto code = static_cast<int>(::GetLastError());
  return std::string(what) + " " + path.string() + ": " +
         std::error_code(code, std::system_category()).message();
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open " + path.string());
  std::string out;
  char buf[16384];
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (out.size() + n > max_bytes) {
      return fail("file " + path.string() + " is larger than " + std::to_string(max_bytes) +
                  " bytes");
    }
    out.append(buf, n);
  }
  if (in.bad()) return fail("cannot read " + path.string());
  return out;
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                               unsigned /*mode*/) {
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::GetCurrentProcessId());
  HANDLE file = ::CreateFileW(tmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return fail(last_error_text(tmp, "cannot create"));
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(left, 1u << 30));
    DWORD written = 0;
    if (!::WriteFile(file, p, chunk, &written, nullptr)) {
      auto err = last_error_text(tmp, "cannot write");
      ::CloseHandle(file);
      ::DeleteFileW(tmp.c_str());
      return fail(err);
    }
    p += written;
    left -= written;
  }
  if (!::FlushFileBuffers(file)) {
    auto err = last_error_text(tmp, "cannot flush");
    ::CloseHandle(file);
    ::DeleteFileW(tmp.c_str());
    return fail(err);
  }
  ::CloseHandle(file);
  if (!::MoveFileExW(tmp.c_str(), path.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    auto err = last_error_text(path, "cannot rename into");
    ::DeleteFileW(tmp.c_str());
    return fail(err);
  }
  return {};
}

Result<void> replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (!::MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    return fail(last_error_text(to, "cannot rename into"));
  return {};
}

Result<void> ensure_directory(const std::filesystem::path& dir, unsigned /*mode*/) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return {};
  if (std::filesystem::exists(dir, ec))
    return fail(dir.string() + " exists and is not a directory");
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail("cannot create directory " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace triage
