// The process runner's fixed search folders and scrubbed environment on Windows.
#include "shared/util/windows/child_environment.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <algorithm>
#include <cwctype>

#include "shared/util/windows/wide_string.hpp"

namespace triage {

namespace {

std::wstring lower(std::wstring s) {
  for (auto& c : s) c = static_cast<wchar_t>(std::towlower(c));
  return s;
}

std::filesystem::path system_directory() {
  wchar_t buf[MAX_PATH];
  const UINT n = ::GetSystemDirectoryW(buf, MAX_PATH);
  return n > 0 && n < MAX_PATH ? std::filesystem::path(std::wstring(buf, n))
                               : windows_directory() / L"System32";
}

std::wstring temp_directory(const std::wstring& windows) {
  wchar_t buf[MAX_PATH + 1];
  const DWORD n = ::GetTempPathW(MAX_PATH + 1, buf);
  if (n == 0 || n > MAX_PATH) return windows + L"\\Temp";
  std::wstring dir(buf, n);
  while (dir.size() > 3 && dir.back() == L'\\') dir.pop_back();
  return dir;
}

}  // namespace

std::filesystem::path windows_directory() {
  wchar_t buf[MAX_PATH];
  const UINT n = ::GetSystemWindowsDirectoryW(buf, MAX_PATH);
  return n > 0 && n < MAX_PATH ? std::filesystem::path(std::wstring(buf, n))
                               : std::filesystem::path(L"C:\\Windows");
}

std::vector<std::filesystem::path> program_search_directories() {
  const auto system = system_directory();
  return {system, windows_directory(), system / L"Wbem"};
}

Result<std::wstring> child_environment_block(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  const auto windows = windows_directory().wstring();
  std::wstring path;
  for (const auto& dir : program_search_directories()) {
    if (!path.empty()) path += L';';
    path += dir.wstring();
  }
  const auto temp = temp_directory(windows);
  std::vector<std::pair<std::wstring, std::wstring>> vars = {
      {L"SystemRoot", windows}, {L"windir", windows}, {L"SystemDrive", windows.substr(0, 2)},
      {L"PATH", path},          {L"TEMP", temp},      {L"TMP", temp}};
  for (const auto& [k, v] : extra) {
    if (k.empty() || k.find_first_of(std::string("=\0", 2)) != std::string::npos ||
        v.find('\0') != std::string::npos) {
      return fail(ErrorCode::kInvalid, "environment variable `" + k + "` is not valid");
    }
    auto name = widen(k);
    auto value = widen(v);
    if (!name || !value) {
      return fail(ErrorCode::kInvalid, "environment variable `" + k + "` is not UTF-8");
    }
    std::erase_if(vars, [&](const auto& var) { return lower(var.first) == lower(*name); });
    vars.emplace_back(std::move(*name), std::move(*value));
  }
  std::sort(vars.begin(), vars.end(), [](const auto& a, const auto& b) {
    return ::CompareStringOrdinal(a.first.c_str(), -1, b.first.c_str(), -1, TRUE) == CSTR_LESS_THAN;
  });
  std::wstring block;
  for (const auto& [k, v] : vars) {
    block += k + L"=" + v;
    block.push_back(L'\0');
  }
  block.push_back(L'\0');
  return block;
}

}  // namespace triage
