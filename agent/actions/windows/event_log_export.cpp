// EvtExportLog with a time-window XPath query, and the private folder the .evtx files are
// written to before they are packed (they hold what users and programs logged, so no other
// account may read them meanwhile).
#include "agent/actions/windows/event_log_export.hpp"

#include "shared/util/windows/windows_api.hpp"
// After windows.h.
#include <bcrypt.h>
#include <sddl.h>
#include <winevt.h>

#include <cstring>
#include <memory>

#include "agent/state/windows/state_directory.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {

namespace {

// wevtapi's errors (winerror.h spells them only in newer SDKs).
constexpr DWORD kChannelNotFound = 15007;

struct LocalFreeDeleter {
  void operator()(void* p) const { ::LocalFree(p); }
};

std::wstring random_suffix() {
  unsigned char bytes[8] = {};
  // The name is not a secret (the folder's ACL is the protection); it only has to be new.
  if (!BCRYPT_SUCCESS(
          ::BCryptGenRandom(nullptr, bytes, sizeof bytes, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
    const auto t = ::GetTickCount64() ^ ::GetCurrentProcessId();
    std::memcpy(bytes, &t, sizeof bytes);
  }
  static constexpr wchar_t kDigits[] = L"0123456789abcdef";
  std::wstring out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace

const std::vector<EventLogChannel>& log_bundle_channels() {
  static const std::vector<EventLogChannel> channels = {
      {L"System", "System.evtx", false},
      {L"Application", "Application.evtx", false},
      {L"Setup", "Setup.evtx", false},
      {L"Microsoft-Windows-WindowsUpdateClient/Operational",
       "Microsoft-Windows-WindowsUpdateClient-Operational.evtx", true},
  };
  return channels;
}

EventLogExport export_event_log(const std::wstring& channel, unsigned hours,
                                const std::filesystem::path& target) {
  // timediff() counts milliseconds back from now; 168 h is 604,800,000 ms.
  const std::wstring query = L"*[System[TimeCreated[timediff(@SystemTime) <= " +
                             std::to_wstring(static_cast<unsigned long long>(hours) * 3600000ULL) +
                             L"]]]";
  EventLogExport result;
  if (!::EvtExportLog(nullptr, channel.c_str(), query.c_str(), target.c_str(),
                      EvtExportLogChannelPath)) {
    const DWORD code = ::GetLastError();
    result.absent = code == kChannelNotFound;
    result.error = "EvtExportLog: " + windows_error_text(code);
    return result;
  }
  std::error_code ec;
  result.bytes = std::filesystem::file_size(target, ec);
  if (ec) result.error = "EvtExportLog wrote no readable file: " + ec.message();
  return result;
}

Result<PrivateWorkFolder> PrivateWorkFolder::create(const std::filesystem::path& parent) {
  PSECURITY_DESCRIPTOR raw = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(kStateDirectorySddl, SDDL_REVISION_1,
                                                              &raw, nullptr)) {
    return fail(last_error_text("the work folder's security descriptor"));
  }
  std::unique_ptr<void, LocalFreeDeleter> descriptor(raw);
  SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), descriptor.get(), FALSE};
  // The parent (a temporary folder) may let every user create folders in it: a name taken
  // already, by chance or by someone expecting us, is never used; a new name is drawn.
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto path = parent / (L"triage-log-bundle-" + random_suffix());
    if (::CreateDirectoryW(path.c_str(), &attributes)) return PrivateWorkFolder(std::move(path));
    if (::GetLastError() != ERROR_ALREADY_EXISTS) {
      return fail(last_error_text("cannot create a work folder in " + narrow(parent.wstring())));
    }
  }
  return fail("cannot create a work folder in " + narrow(parent.wstring()) +
              ": every name drawn was taken");
}

PrivateWorkFolder::PrivateWorkFolder(PrivateWorkFolder&& other) noexcept
    : path_(std::move(other.path_)) {
  other.path_.clear();
}

PrivateWorkFolder::~PrivateWorkFolder() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path default_work_parent() {
  wchar_t buffer[MAX_PATH + 1] = {};
  // GetTempPath2W (Windows 11, later Windows 10 updates) gives SYSTEM C:\Windows\SystemTemp,
  // which no other account may list; GetTempPathW gives it C:\Windows\Temp. Either way the
  // work folder's own ACL keeps its content private.
  using GetTempPath2Fn = DWORD(WINAPI*)(DWORD, LPWSTR);
  auto get_temp_path2 = reinterpret_cast<GetTempPath2Fn>(reinterpret_cast<void*>(
      ::GetProcAddress(::GetModuleHandleW(L"kernel32.dll"), "GetTempPath2W")));
  const DWORD n = get_temp_path2 != nullptr ? get_temp_path2(MAX_PATH + 1, buffer)
                                            : ::GetTempPathW(MAX_PATH + 1, buffer);
  if (n == 0 || n > MAX_PATH) return L"C:\\Windows\\Temp";
  return std::filesystem::path(std::wstring(buffer, n));
}

}  // namespace triage::agent
