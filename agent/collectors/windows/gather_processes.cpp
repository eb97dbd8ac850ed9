// win_api::kProcesses: a Toolhelp32 snapshot taken twice ~250 ms apart; per process
// GetProcessTimes (CPU used between the samples, start time), GetProcessMemoryInfo (working
// set), the token's account (OpenProcessToken, LookupAccountSidW, cached per SID and given up
// when the domain controller is slow to answer) and the command line
// (NtQueryInformationProcess(ProcessCommandLineInformation), Windows 8.1 and later). Each is
// best effort: a protected or vanished process keeps what could be read. Windows only.
#include "shared/util/windows/windows_api.hpp"

#include <psapi.h>
#include <tlhelp32.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "agent/collectors/windows/gather_software.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kSampleGap = std::chrono::milliseconds(250);
constexpr std::size_t kMaxProcesses = 8192;
// Windows allows 32767 characters; the source keeps far fewer.
constexpr ULONG kMaxCommandLineBytes = 65536;
// Account lookups of domain SIDs ask a domain controller: stop asking once they take this long
// in total, and give the SID instead.
constexpr auto kLookupBudget = std::chrono::milliseconds(2000);
// PROCESSINFOCLASS ProcessCommandLineInformation.
constexpr ULONG kProcessCommandLineInformation = 60;
constexpr LONG kStatusInfoLengthMismatch = static_cast<LONG>(0xC0000004);

std::uint64_t ticks(const FILETIME& t) {
  return (static_cast<std::uint64_t>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
}

struct Times {
  std::uint64_t created = 0;
  std::uint64_t cpu = 0;  // kernel + user, 100 ns
};

std::optional<Times> times_of(HANDLE process) {
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!::GetProcessTimes(process, &created, &exited, &kernel, &user)) return std::nullopt;
  return Times{ticks(created), ticks(kernel) + ticks(user)};
}

/// CPU times of every process now, by pid.
std::map<DWORD, Times> first_sample() {
  std::map<DWORD, Times> out;
  UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snapshot.valid()) return out;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  for (BOOL more = ::Process32FirstW(snapshot.get(), &entry); more && out.size() < kMaxProcesses;
       more = ::Process32NextW(snapshot.get(), &entry)) {
    UniqueHandle process(
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, entry.th32ProcessID));
    if (!process.valid()) continue;
    if (auto t = times_of(process.get())) out.emplace(entry.th32ProcessID, *t);
  }
  return out;
}

using NtQueryInformationProcessFn = LONG(WINAPI*)(HANDLE, ULONG, PVOID, ULONG, PULONG);

/// The UNICODE_STRING NtQueryInformationProcess answers with (its text follows it).
struct CountedText {
  USHORT length;
  USHORT maximum_length;
  PWSTR buffer;
};

std::string command_line_of(HANDLE process, NtQueryInformationProcessFn query) {
  if (!query) return {};
  ULONG needed = 0;
  std::vector<unsigned char> buffer(1024);
  LONG status = query(process, kProcessCommandLineInformation, buffer.data(),
                      static_cast<ULONG>(buffer.size()), &needed);
  if (status == kStatusInfoLengthMismatch && needed > buffer.size() &&
      needed <= kMaxCommandLineBytes) {
    buffer.resize(needed);
    status = query(process, kProcessCommandLineInformation, buffer.data(),
                   static_cast<ULONG>(buffer.size()), &needed);
  }
  if (status < 0 || buffer.size() < sizeof(CountedText)) return {};
  const auto* text = reinterpret_cast<const CountedText*>(buffer.data());
  const auto* begin = reinterpret_cast<const unsigned char*>(text->buffer);
  // The text must lie inside the buffer it came in.
  if (text->buffer == nullptr || begin < buffer.data() ||
      begin + text->length > buffer.data() + buffer.size()) {
    return {};
  }
  return narrow(std::wstring_view(text->buffer, text->length / sizeof(wchar_t)));
}

/// "DOMAIN\\user" of process tokens, cached per SID.
class Accounts {
 public:
  std::string of(HANDLE process) {
    HANDLE raw = nullptr;
    if (!::OpenProcessToken(process, TOKEN_QUERY, &raw)) return {};
    UniqueHandle token(raw);
    DWORD needed = 0;
    ::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &needed);
    if (needed == 0 || needed > 4096) return {};
    std::vector<unsigned char> buffer(needed);
    if (!::GetTokenInformation(token.get(), TokenUser, buffer.data(), needed, &needed)) return {};
    PSID sid = reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid;
    if (!::IsValidSid(sid)) return {};
    std::string key(static_cast<const char*>(sid), ::GetLengthSid(sid));
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::string name = spent_ < kLookupBudget ? lookup(sid) : std::string();
    cache_.emplace(std::move(key), name);
    return name;
  }

 private:
  std::string lookup(PSID sid) {
    const auto start = Clock::now();
    wchar_t name[256], domain[256];
    DWORD name_len = 256, domain_len = 256;
    SID_NAME_USE use;
    const BOOL ok = ::LookupAccountSidW(nullptr, sid, name, &name_len, domain, &domain_len, &use);
    spent_ += std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (!ok) return {};
    std::wstring account = domain_len > 0 ? std::wstring(domain) + L"\\" + name : name;
    return narrow(account);
  }

  std::map<std::string, std::string> cache_;
  std::chrono::milliseconds spent_{0};
};

Result<nlohmann::json> gather() {
  auto query = reinterpret_cast<NtQueryInformationProcessFn>(reinterpret_cast<void*>(
      ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationProcess")));
  const auto t0 = Clock::now();
  const auto before = first_sample();
  std::this_thread::sleep_for(kSampleGap);

  UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snapshot.valid()) return fail(last_error_text("CreateToolhelp32Snapshot"));
  const auto t1 = Clock::now();
  const auto sample_ms = std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count();
  Accounts accounts;
  nlohmann::json processes = nlohmann::json::array();
  bool truncated = false;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  for (BOOL more = ::Process32FirstW(snapshot.get(), &entry); more;
       more = ::Process32NextW(snapshot.get(), &entry)) {
    if (entry.th32ProcessID == 0) continue;  // the idle process: idle time, not a program
    if (processes.size() == kMaxProcesses) {
      truncated = true;
      break;
    }
    nlohmann::json p = {{"pid", entry.th32ProcessID},
                        {"ppid", entry.th32ParentProcessID},
                        {"name", narrow(entry.szExeFile)},
                        {"threads", entry.cntThreads}};
    UniqueHandle process(
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, entry.th32ProcessID));
    if (process.valid()) {
      if (auto t = times_of(process.get())) {
        p["cpu_time_ms"] = t->cpu / 10000;
        if (auto start = filetime_to_unix_ms(t->created); start > 0) p["start_unix_ms"] = start;
        // The same process only when it started at the same instant (pids are reused).
        auto earlier = before.find(entry.th32ProcessID);
        if (earlier != before.end() && earlier->second.created == t->created &&
            t->cpu >= earlier->second.cpu) {
          p["cpu_window_us"] = (t->cpu - earlier->second.cpu) / 10;
        }
      }
      PROCESS_MEMORY_COUNTERS memory{};
      memory.cb = sizeof memory;
      if (::GetProcessMemoryInfo(process.get(), &memory, sizeof memory))
        p["working_set_bytes"] = static_cast<std::uint64_t>(memory.WorkingSetSize);
      p["user"] = accounts.of(process.get());
      p["command_line"] = command_line_of(process.get(), query);
    }
    processes.push_back(std::move(p));
  }
  nlohmann::json answer = {
      {"sample_ms", sample_ms}, {"processes", std::move(processes)}, {"truncated", truncated}};
  MEMORYSTATUSEX status{};
  status.dwLength = sizeof status;
  if (::GlobalMemoryStatusEx(&status)) answer["memory_total_bytes"] = status.ullTotalPhys;
  return answer;
}

}  // namespace

Result<nlohmann::json> gather_processes() {
  try {
    return gather();
  } catch (const std::exception& e) {
    return fail(std::string("processes: ") + e.what());
  }
}

}  // namespace triage::agent
