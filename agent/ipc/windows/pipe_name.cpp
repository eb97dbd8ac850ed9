// Endpoint paths to pipe names: FNV-1a over the path's UTF-16 units in lower case.
#include "agent/ipc/windows/pipe_name.hpp"

#include <cstdint>
#include <cstdio>
#include <cwctype>

namespace triage::agent::ipc {

std::wstring pipe_name_for(const std::filesystem::path& endpoint) {
  const std::wstring path = endpoint.wstring();
  constexpr std::wstring_view kPipePrefix = L"\\\\.\\pipe\\";
  if (path.size() > kPipePrefix.size() &&
      std::equal(kPipePrefix.begin(), kPipePrefix.end(), path.begin(),
                 [](wchar_t a, wchar_t b) { return std::towlower(a) == std::towlower(b); })) {
    return path;
  }
  std::uint64_t hash = 14695981039346656037ull;
  for (wchar_t c : path) {
    if (c == L'/') c = L'\\';
    hash ^= static_cast<std::uint64_t>(std::towlower(c));
    hash *= 1099511628211ull;
  }
  wchar_t name[64];
  std::swprintf(name, 64, L"\\\\.\\pipe\\triage-agent-%016llx",
                static_cast<unsigned long long>(hash));
  return name;
}

}  // namespace triage::agent::ipc
