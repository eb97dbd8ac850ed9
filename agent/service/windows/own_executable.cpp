#include "agent/service/own_executable.hpp"

#include <windows.h>

#include <string>

namespace triage::agent {

std::filesystem::path own_executable() {
  // Long paths (\\?\...) exceed MAX_PATH: grow until the name fits.
  std::wstring buffer(MAX_PATH, L'\0');
  for (;;) {
    const DWORD n = ::GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
    if (n == 0) return {};
    if (n < buffer.size()) return std::filesystem::path(buffer.substr(0, n));
    if (buffer.size() >= 32'768) return {};
    buffer.resize(buffer.size() * 2);
  }
}

}  // namespace triage::agent
