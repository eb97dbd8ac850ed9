// The running machine as WinHost: the registry (win_registry_reader), WMI (wmi_client), the
// Event Log (event_log_reader), files (FindFirstFileExW, CreateFileW/ReadFile) and the Win32
// gatherers of win_api_table.cpp.
#include "agent/collectors/windows/live_win_host.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <algorithm>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows/event_log_reader.hpp"
#include "agent/collectors/windows/win_api_gatherers.hpp"
#include "agent/collectors/windows/win_registry_reader.hpp"
#include "agent/collectors/windows/wmi_client.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

// More entries than any folder a source lists holds (Minidump, WER report queues).
constexpr std::size_t kMaxDirectoryEntries = 65536;

struct FindCloser {
  HANDLE h = INVALID_HANDLE_VALUE;
  ~FindCloser() {
    if (h != INVALID_HANDLE_VALUE) ::FindClose(h);
  }
};

struct HandleCloser {
  HANDLE h = INVALID_HANDLE_VALUE;
  ~HandleCloser() {
    if (h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
};

std::int64_t to_unix_ms(const FILETIME& t) {
  return filetime_to_unix_ms((static_cast<std::uint64_t>(t.dwHighDateTime) << 32) |
                             t.dwLowDateTime);
}

Error file_error(DWORD code, std::string_view what, std::string_view path) {
  const std::string thing = std::string(what) + " " + std::string(path);
  if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND || code == ERROR_INVALID_NAME ||
      code == ERROR_BAD_NETPATH) {
    return Error{thing + " not found", ErrorCode::kNotFound};
  }
  if (code == ERROR_ACCESS_DENIED)
    return Error{thing + ": " + windows_error_text(code), ErrorCode::kDenied};
  return Error{thing + ": " + windows_error_text(code)};
}

class LiveWinHost final : public WinHost {
 public:
  explicit LiveWinHost(bool start_com) {
    if (start_com) (void)wmi_.start();
  }

  bool live() const override { return true; }

  Result<RegistryKey> registry(std::string_view path, RegistryView view) override {
    return read_registry_key(path, view);
  }

  Result<std::vector<nlohmann::json>> wmi(std::string_view wmi_namespace,
                                          std::string_view wmi_class,
                                          const std::vector<std::string>& properties) override {
    auto rows = wmi_.query(wmi_namespace, wmi_class, properties);
    if (rows && to_lower(wmi_class) == "win32_encryptablevolume") {
      add_conversion_progress(wmi_namespace, *rows);
    }
    return rows;
  }

  Result<std::vector<EventRecord>> events(const EventQuery& query) override {
    return read_event_log(query);
  }

  Result<std::vector<WinFileEntry>> list_directory(std::string_view path) override {
    auto dir = widen(path);
    if (!dir || dir->empty()) return fail(ErrorCode::kInvalid, "directory path is not valid text");
    while (dir->size() > 3 && (dir->back() == L'\\' || dir->back() == L'/')) dir->pop_back();
    const DWORD attributes = ::GetFileAttributesW(dir->c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES)
      return tl::unexpected(file_error(::GetLastError(), "directory", path));
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0)
      return fail(ErrorCode::kNotFound, "directory " + std::string(path) + " is a file");

    std::wstring pattern = *dir;
    if (pattern.back() != L'\\' && pattern.back() != L'/') pattern += L'\\';
    pattern += L'*';
    WIN32_FIND_DATAW data{};
    // FindExInfoBasic: no 8.3 names. The data describes each entry itself: a link or junction
    // is listed with its own size, never its target's.
    FindCloser find{::FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &data,
                                       FindExSearchNameMatch, nullptr, FIND_FIRST_EX_LARGE_FETCH)};
    std::vector<WinFileEntry> out;
    if (find.h == INVALID_HANDLE_VALUE) {
      const DWORD e = ::GetLastError();
      if (e == ERROR_FILE_NOT_FOUND) return out;  // a drive root with nothing in it
      return tl::unexpected(file_error(e, "directory", path));
    }
    do {
      const std::wstring_view name(data.cFileName);
      if (name == L"." || name == L"..") continue;
      WinFileEntry entry;
      entry.name = narrow(name);
      entry.directory = (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
      entry.size_bytes = entry.directory ? 0
                                         : (static_cast<std::uint64_t>(data.nFileSizeHigh) << 32) |
                                               data.nFileSizeLow;
      entry.modified_unix_ms = to_unix_ms(data.ftLastWriteTime);
      out.push_back(std::move(entry));
    } while (out.size() < kMaxDirectoryEntries && ::FindNextFileW(find.h, &data));
    return out;
  }

  Result<std::string> read_file(std::string_view path, std::size_t max_bytes) override {
    auto file = widen(path);
    if (!file || file->empty()) return fail(ErrorCode::kInvalid, "file path is not valid text");
    // Shared every way: the Event Log, WER and the spooler keep their files open.
    HandleCloser handle{::CreateFileW(file->c_str(), GENERIC_READ,
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                      nullptr, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, nullptr)};
    if (handle.h == INVALID_HANDLE_VALUE)
      return tl::unexpected(file_error(::GetLastError(), "file", path));
    // A pipe or a device could block a read for ever.
    if (::GetFileType(handle.h) != FILE_TYPE_DISK)
      return fail(ErrorCode::kInvalid, "file " + std::string(path) + " is not a disk file");
    LARGE_INTEGER size{};
    std::string out;
    if (::GetFileSizeEx(handle.h, &size) && size.QuadPart >= 0) {
      out.reserve(std::min<std::uint64_t>(static_cast<std::uint64_t>(size.QuadPart), max_bytes));
    }
    char buffer[64 * 1024];
    while (out.size() < max_bytes) {
      const DWORD want =
          static_cast<DWORD>(std::min<std::size_t>(sizeof buffer, max_bytes - out.size()));
      DWORD got = 0;
      if (!::ReadFile(handle.h, buffer, want, &got, nullptr))
        return tl::unexpected(file_error(::GetLastError(), "file", path));
      if (got == 0) break;
      out.append(buffer, got);
    }
    return out;
  }

  Result<nlohmann::json> api(std::string_view name) override {
    const auto gatherers = api_gatherers();
    const auto it = std::find_if(gatherers.begin(), gatherers.end(),
                                 [&](const NamedGatherer& g) { return g.name == name; });
    if (it == gatherers.end() || it->gather == nullptr)
      return fail(ErrorCode::kNotFound, "no Win32 gatherer named " + std::string(name));
    return it->gather();
  }

 private:
  /// BitLocker's EncryptionPercentage is not a property: GetConversionStatus() answers it. Asked
  /// only for volumes being encrypted or decrypted (ConversionStatus 2 to 5); the others are at
  /// 0 or 100 %, which ConversionStatus already says.
  void add_conversion_progress(std::string_view wmi_namespace, std::vector<nlohmann::json>& rows) {
    for (auto& row : rows) {
      const auto status = row.value("ConversionStatus", nlohmann::json()).is_number_unsigned()
                              ? row["ConversionStatus"].get<std::uint64_t>()
                              : 0;
      const auto device = row.value("DeviceID", nlohmann::json()).is_string()
                              ? row["DeviceID"].get<std::string>()
                              : std::string();
      if (status < 2 || status > 5 || device.empty()) continue;
      auto answer = wmi_.call_method(
          wmi_namespace, "Win32_EncryptableVolume.DeviceID=\"" + wmi_escaped(device) + "\"",
          "GetConversionStatus");
      if (answer && answer->value("ReturnValue", nlohmann::json()) == 0 &&
          answer->contains("EncryptionPercentage")) {
        row["EncryptionPercentage"] = (*answer)["EncryptionPercentage"];
      }
    }
  }

  /// `text` inside a WMI object path's double quotes: backslashes and quotes escaped.
  static std::string wmi_escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    return out;
  }

  WmiClient wmi_;
};

}  // namespace

WinHostPtr make_live_win_host(bool start_com) { return std::make_unique<LiveWinHost>(start_com); }

}  // namespace triage::agent
