#pragma once
// WinHost: the Windows machine as the Windows sources see it — the registry, WMI classes, the
// Event Log, files, and the answers of Win32 calls that neither carries (each as JSON). Every
// source is written against this interface only, so it compiles on Linux too: the live
// implementation (agent/collectors/windows/live_win_host.cpp) asks the running system; the
// recorded one (recorded_win_host.cpp) answers from a directory describing a machine, and
// `make test` runs every source natively against recorded machines.
//
// A source gathers through WinHost and maps into the snapshot; it never calls Win32 itself.
// Answers are hostile text like any file: sources bound what they keep.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

/// Which registry view a key is read in. On 64-bit Windows, k32 is the WOW6432Node view that
/// 32-bit programs write to (installed programs, their settings).
enum class RegistryView { kDefault, k64, k32 };

/// One registry value, by its type.
struct RegistryValue {
  enum class Type { kString, kExpandString, kMultiString, kDword, kQword, kBinary, kOther };
  Type type = Type::kOther;
  /// REG_SZ and REG_EXPAND_SZ (unexpanded), UTF-8.
  std::string text;
  /// REG_MULTI_SZ.
  std::vector<std::string> strings;
  /// REG_DWORD and REG_QWORD.
  std::uint64_t number = 0;
  /// REG_BINARY (and the raw bytes of kOther).
  std::vector<std::uint8_t> bytes;
};

/// Case-insensitive ordering: registry key and value names ignore ASCII case.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

/// One key: its values, the names of its subkeys and when it was last written.
struct RegistryKey {
  std::map<std::string, RegistryValue, CaseInsensitiveLess> values;
  std::vector<std::string> subkeys;
  std::int64_t last_write_unix_ms = 0;

  /// The value `name` as text (REG_SZ, REG_EXPAND_SZ; a number as decimal), or "".
  std::string text(std::string_view name) const;
  /// The value `name` as a number (REG_DWORD, REG_QWORD, or decimal text), if any.
  std::optional<std::uint64_t> number(std::string_view name) const;
  bool has(std::string_view name) const { return values.find(name) != values.end(); }
};

/// One Event Log record.
struct EventRecord {
  std::string log;       ///< "System", "Application"
  std::string provider;  ///< "Service Control Manager"
  std::uint32_t event_id = 0;
  /// 1 critical, 2 error, 3 warning, 4 information (0: log always).
  std::uint32_t level = 0;
  std::int64_t time_unix_ms = 0;
  /// The rendered message; may be empty when the provider's message file is missing.
  std::string message;
  /// The event's data values (EventData/UserData), in order.
  std::vector<std::string> data;
};

/// What to read from one log: newest first.
struct EventQuery {
  std::string log;
  /// Only these providers (empty: any).
  std::vector<std::string> providers;
  /// Only these event ids (empty: any).
  std::vector<std::uint32_t> event_ids;
  /// Levels 1..max_level (critical .. this); 0 means any level.
  std::uint32_t max_level = 0;
  /// Only events at or after this instant.
  std::int64_t since_unix_ms = 0;
  std::size_t max_records = 1000;
};

/// One directory entry.
struct WinFileEntry {
  std::string name;
  bool directory = false;
  std::uint64_t size_bytes = 0;
  std::int64_t modified_unix_ms = 0;
};

/// The Windows machine. Methods are called from the collecting thread only.
class WinHost {
 public:
  virtual ~WinHost() = default;

  /// True for the running machine; false for a recorded one.
  virtual bool live() const = 0;

  /// The key at `path` ("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"; roots HKLM,
  /// HKU, HKCR). A missing key is ErrorCode::kNotFound.
  virtual Result<RegistryKey> registry(std::string_view path,
                                       RegistryView view = RegistryView::kDefault) = 0;

  /// `SELECT <properties> FROM <wmi_class>` in `wmi_namespace` ("root\\cimv2"): one JSON object
  /// per instance, property name → value (string, number, bool, null or array; 64-bit integers
  /// as numbers; CIM datetimes as their "yyyymmddHHMMSS.mmmmmmsUUU" text). A namespace or class
  /// the machine does not have is ErrorCode::kNotFound.
  virtual Result<std::vector<nlohmann::json>> wmi(std::string_view wmi_namespace,
                                                  std::string_view wmi_class,
                                                  const std::vector<std::string>& properties) = 0;

  /// Records of one Event Log, newest first, filtered as `query` says.
  virtual Result<std::vector<EventRecord>> events(const EventQuery& query) = 0;

  /// The entries of a directory ("C:\\Windows\\Minidump"); kNotFound when it does not exist.
  virtual Result<std::vector<WinFileEntry>> list_directory(std::string_view path) = 0;
  /// At most `max_bytes` of a file, as stored (a WER report is UTF-16 with a BOM).
  virtual Result<std::string> read_file(std::string_view path, std::size_t max_bytes) = 0;

  /// The answer of a named Win32 gatherer, as JSON (see win_api_names.hpp for each name and
  /// its shape). ErrorCode::kNotFound when this machine or build has no such gatherer.
  virtual Result<nlohmann::json> api(std::string_view name) = 0;
};

using WinHostPtr = std::unique_ptr<WinHost>;

/// A machine recorded in `dir`: registry/*.reg (regedit's export format, see
/// recorded_win_host.cpp), wmi/<namespace>/<Class>.json, events/<Log>.json, api/<name>.json and
/// files.json. What the recording lacks answers kNotFound, as on a machine without it.
WinHostPtr make_recorded_win_host(const std::filesystem::path& dir);

}  // namespace triage::agent
