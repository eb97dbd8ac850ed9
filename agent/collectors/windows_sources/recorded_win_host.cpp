// A recorded Windows machine: a directory that answers what WinHost asks, so the Windows
// sources run natively in `make test`.
//
//   registry/*.reg   regedit's export format ("Windows Registry Editor Version 5.00"): [KEY]
//                    headers with HKEY_LOCAL_MACHINE or HKLM style roots, then "name"=value
//                    lines: "text", dword:0000002a, qword:000000000000002a, hex:01,02,
//                    hex(2):… (expand string, UTF-16LE bytes), hex(7):… (multi string),
//                    hex(b):… (qword). Readable forms for hand-written recordings:
//                    expand:"text", multi:"a","b" and the key's `@lastwrite=RFC 3339` line.
//                    The WOW6432Node view is the key path with WOW6432Node after SOFTWARE.
//   wmi/<namespace>/<Class>.json   an array of instance objects ("root_cimv2" for root\cimv2)
//   events/<Log>.json              an array of {provider, event_id, level, time (RFC 3339) or
//                                  time_unix_ms, message, data}
//   api/<name>.json                the answer of one Win32 gatherer
//   files.json                     {"directories": {path: [{name, directory, size_bytes,
//                                  modified_unix_ms}]}, "contents": {path: text}}
//
// Paths and names compare without ASCII case, as on Windows.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "agent/collectors/windows_sources/win_host.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "shared/util/files.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/time_format.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxRecordingFile = 16 * 1024 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

/// "HKEY_LOCAL_MACHINE\\X" and "HKLM\\X" both become "hklm\\x".
std::string normalize_key(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kRoots[] = {
      {"hkey_local_machine", "hklm"},
      {"hkey_users", "hku"},
      {"hkey_classes_root", "hkcr"},
      {"hkey_current_user", "hkcu"},
  };
  std::string key = lower(trim(path));
  while (!key.empty() && key.back() == '\\') key.pop_back();
  for (const auto& [longer, shorter] : kRoots) {
    if (key.rfind(longer, 0) == 0) {
      key = std::string(shorter) + key.substr(longer.size());
      break;
    }
  }
  return key;
}

/// The 32-bit view of HKLM\SOFTWARE\X is HKLM\SOFTWARE\WOW6432Node\X.
std::string in_view(std::string key, RegistryView view) {
  constexpr std::string_view kSoftware = "hklm\\software\\";
  if (view == RegistryView::k32 && key.rfind(kSoftware, 0) == 0 &&
      key.rfind("hklm\\software\\wow6432node", 0) != 0) {
    key.insert(kSoftware.size(), "wow6432node\\");
  }
  return key;
}

std::vector<std::uint8_t> parse_hex_bytes(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::string digits;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      digits += c;
      if (digits.size() == 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoul(digits, nullptr, 16)));
        digits.clear();
      }
    } else {
      digits.clear();
    }
  }
  return out;
}

/// Reads one quoted .reg string starting at text[pos] == '"'; advances pos past it.
std::string parse_quoted(std::string_view text, std::size_t& pos) {
  std::string out;
  ++pos;
  while (pos < text.size() && text[pos] != '"') {
    if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
    out += text[pos++];
  }
  if (pos < text.size()) ++pos;
  return out;
}

RegistryValue parse_value(std::string_view data) {
  RegistryValue v;
  auto starts = [&](std::string_view prefix) {
    return data.size() >= prefix.size() && lower(data.substr(0, prefix.size())) == prefix;
  };
  if (!data.empty() && data.front() == '"') {
    std::size_t pos = 0;
    v.type = RegistryValue::Type::kString;
    v.text = parse_quoted(data, pos);
  } else if (starts("dword:")) {
    v.type = RegistryValue::Type::kDword;
    v.number = std::stoull(trim(data.substr(6)), nullptr, 16);
  } else if (starts("qword:")) {
    v.type = RegistryValue::Type::kQword;
    v.number = std::stoull(trim(data.substr(6)), nullptr, 16);
  } else if (starts("expand:")) {
    std::size_t pos = 7;
    v.type = RegistryValue::Type::kExpandString;
    v.text = parse_quoted(data, pos);
  } else if (starts("multi:")) {
    v.type = RegistryValue::Type::kMultiString;
    std::size_t pos = 6;
    while (pos < data.size()) {
      if (data[pos] == '"') {
        v.strings.push_back(parse_quoted(data, pos));
      } else {
        ++pos;
      }
    }
  } else if (starts("hex(2):")) {
    v.type = RegistryValue::Type::kExpandString;
    auto bytes = parse_hex_bytes(data.substr(7));
    v.text = utf16le_to_utf8(std::string(bytes.begin(), bytes.end()));
    while (!v.text.empty() && v.text.back() == '\0') v.text.pop_back();
  } else if (starts("hex(7):")) {
    v.type = RegistryValue::Type::kMultiString;
    auto bytes = parse_hex_bytes(data.substr(7));
    // Split at every NUL and drop only the terminators at the end: a value such as
    // PendingFileRenameOperations holds empty strings inside the list (a file to delete).
    std::string all = utf16le_to_utf8(std::string(bytes.begin(), bytes.end()));
    while (!all.empty() && all.back() == '\0') all.pop_back();
    if (!all.empty()) {
      std::size_t start = 0;
      while (true) {
        auto nul = all.find('\0', start);
        v.strings.push_back(all.substr(start, nul - start));
        if (nul == std::string::npos) break;
        start = nul + 1;
      }
    }
  } else if (starts("hex(b):")) {
    v.type = RegistryValue::Type::kQword;
    auto bytes = parse_hex_bytes(data.substr(7));
    for (std::size_t i = 0; i < bytes.size() && i < 8; ++i)
      v.number |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
  } else if (starts("hex:")) {
    v.type = RegistryValue::Type::kBinary;
    v.bytes = parse_hex_bytes(data.substr(4));
  } else {
    v.type = RegistryValue::Type::kOther;
  }
  return v;
}

struct RecordedKey {
  std::string path;  // as written (root spelled as in the file), for the names of parents
  std::string name;  // as written, last component
  RegistryKey key;
};

class RecordedWinHost final : public WinHost {
 public:
  explicit RecordedWinHost(std::filesystem::path dir) : dir_(std::move(dir)) {
    load_registry();
    load_files();
  }

  bool live() const override { return false; }

  Result<RegistryKey> registry(std::string_view path, RegistryView view) override {
    auto it = keys_.find(in_view(normalize_key(path), view));
    if (it == keys_.end()) {
      return fail(ErrorCode::kNotFound, "registry key " + std::string(path) + " not found");
    }
    return it->second.key;
  }

  Result<std::vector<nlohmann::json>> wmi(std::string_view wmi_namespace,
                                          std::string_view wmi_class,
                                          const std::vector<std::string>& properties) override {
    std::string ns = lower(wmi_namespace);
    std::replace(ns.begin(), ns.end(), '\\', '_');
    std::replace(ns.begin(), ns.end(), '/', '_');
    auto doc = load_json(find_ignoring_case(dir_ / "wmi" / ns, std::string(wmi_class) + ".json"));
    if (!doc) {
      return fail(ErrorCode::kNotFound, "WMI class " + std::string(wmi_namespace) + ":" +
                                            std::string(wmi_class) + " not recorded");
    }
    if (!doc->is_array())
      return fail("WMI recording of " + std::string(wmi_class) + " is not a list");
    std::vector<nlohmann::json> rows;
    for (const auto& instance : *doc) {
      if (!instance.is_object()) continue;
      // As live: no property named means all of them.
      if (properties.empty()) {
        rows.push_back(instance);
        continue;
      }
      nlohmann::json row = nlohmann::json::object();
      // As live: only the properties asked for, and every one of them (null when unset).
      for (const auto& property : properties) {
        row[property] = nullptr;
        for (const auto& [name, value] : instance.items()) {
          if (lower(name) == lower(property)) row[property] = value;
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<std::vector<EventRecord>> events(const EventQuery& query) override {
    auto doc = load_json(find_ignoring_case(dir_ / "events", query.log + ".json"));
    if (!doc) return fail(ErrorCode::kNotFound, "event log " + query.log + " not recorded");
    std::vector<EventRecord> records;
    if (!doc->is_array()) return records;
    for (const auto& item : *doc) {
      EventRecord r;
      r.log = query.log;
      r.provider = string_field(item, "provider");
      r.event_id = static_cast<std::uint32_t>(int_field(item, "event_id"));
      r.level = static_cast<std::uint32_t>(int_field(item, "level"));
      r.time_unix_ms = int_field(item, "time_unix_ms");
      if (auto t = parse_rfc3339(string_field(item, "time"))) {
        r.time_unix_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
      }
      r.message = string_field(item, "message");
      if (auto data = item.find("data"); data != item.end() && data->is_array()) {
        for (const auto& d : *data)
          r.data.push_back(d.is_string() ? d.get<std::string>() : d.dump());
      }
      if (!matches(query, r)) continue;
      records.push_back(std::move(r));
    }
    std::stable_sort(records.begin(), records.end(),
                     [](const auto& a, const auto& b) { return a.time_unix_ms > b.time_unix_ms; });
    if (records.size() > query.max_records) records.resize(query.max_records);
    return records;
  }

  Result<std::vector<WinFileEntry>> list_directory(std::string_view path) override {
    auto dirs = files_.find("directories");
    if (dirs != files_.end() && dirs->is_object()) {
      for (const auto& [name, entries] : dirs->items()) {
        if (normalize_path(name) != normalize_path(path) || !entries.is_array()) continue;
        std::vector<WinFileEntry> out;
        for (const auto& e : entries) {
          WinFileEntry entry;
          entry.name = string_field(e, "name");
          entry.directory = bool_field(e, "directory");
          entry.size_bytes = static_cast<std::uint64_t>(int_field(e, "size_bytes"));
          entry.modified_unix_ms = int_field(e, "modified_unix_ms");
          out.push_back(std::move(entry));
        }
        return out;
      }
    }
    return fail(ErrorCode::kNotFound, "directory " + std::string(path) + " not found");
  }

  Result<std::string> read_file(std::string_view path, std::size_t max_bytes) override {
    auto contents = files_.find("contents");
    if (contents != files_.end() && contents->is_object()) {
      for (const auto& [name, text] : contents->items()) {
        if (normalize_path(name) != normalize_path(path) || !text.is_string()) continue;
        auto content = text.get<std::string>();
        if (content.size() > max_bytes) content.resize(max_bytes);
        return content;
      }
    }
    return fail(ErrorCode::kNotFound, "file " + std::string(path) + " not found");
  }

  Result<nlohmann::json> api(std::string_view name) override {
    auto doc = load_json(dir_ / "api" / (std::string(name) + ".json"));
    if (!doc) return fail(ErrorCode::kNotFound, "no answer of " + std::string(name) + " recorded");
    return *doc;
  }

 private:
  static std::string normalize_path(std::string_view path) {
    std::string p = lower(path);
    std::replace(p.begin(), p.end(), '/', '\\');
    while (p.size() > 3 && p.back() == '\\') p.pop_back();
    return p;
  }

  static bool matches(const EventQuery& query, const EventRecord& r) {
    if (!query.providers.empty() &&
        std::none_of(query.providers.begin(), query.providers.end(),
                     [&](const auto& p) { return lower(p) == lower(r.provider); })) {
      return false;
    }
    if (!query.event_ids.empty() && std::find(query.event_ids.begin(), query.event_ids.end(),
                                              r.event_id) == query.event_ids.end()) {
      return false;
    }
    // Level 0 is "log always": it passes any level filter, as in the Event Log's own queries.
    if (query.max_level != 0 && r.level > query.max_level) return false;
    return r.time_unix_ms >= query.since_unix_ms;
  }

  static std::filesystem::path find_ignoring_case(const std::filesystem::path& dir,
                                                  const std::string& file) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (lower(entry.path().filename().string()) == lower(file)) return entry.path();
    }
    return dir / file;
  }

  static std::optional<nlohmann::json> load_json(const std::filesystem::path& path) {
    auto text = triage::read_file(path, kMaxRecordingFile);
    if (!text) return std::nullopt;
    auto doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return std::nullopt;
    return doc;
  }

  void load_registry() {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "registry", ec)) {
      if (entry.path().extension() == ".reg") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      auto text = triage::read_file(path, kMaxRecordingFile);
      if (text) load_reg_text(*text);
    }
    // Subkeys: every recorded key names its parent's subkey, and every parent exists, named
    // as the file spells it.
    struct Link {
      std::string parent_path;  // as written
      std::string child;
    };
    std::vector<Link> links;
    for (const auto& [normalized, recorded] : keys_) {
      auto slash = recorded.path.rfind('\\');
      if (slash == std::string::npos) continue;
      links.push_back({recorded.path.substr(0, slash), recorded.name});
    }
    while (!links.empty()) {
      // Named copies, not a structured binding: the lambda below captures `child`, which
      // clang 15 (the fuzz build) does not allow for a binding.
      const std::string parent_path = links.back().parent_path;
      const std::string child = links.back().child;
      links.pop_back();
      auto [it, inserted] = keys_.try_emplace(normalize_key(parent_path));
      if (inserted) {
        auto slash = parent_path.rfind('\\');
        it->second.path = parent_path;
        it->second.name = slash == std::string::npos ? parent_path : parent_path.substr(slash + 1);
        if (slash != std::string::npos)
          links.push_back({parent_path.substr(0, slash), it->second.name});
      }
      auto& subkeys = it->second.key.subkeys;
      if (std::none_of(subkeys.begin(), subkeys.end(),
                       [&](const auto& s) { return lower(s) == lower(child); })) {
        subkeys.push_back(child);
      }
    }
    // The registry enumerates subkeys in name order.
    for (auto& [normalized, recorded] : keys_) {
      std::sort(recorded.key.subkeys.begin(), recorded.key.subkeys.end(), CaseInsensitiveLess{});
    }
  }

  void load_reg_text(std::string_view text) {
    std::string decoded;
    if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0xFF &&
        static_cast<unsigned char>(text[1]) == 0xFE) {
      decoded = utf16le_to_utf8(text.substr(2));  // regedit writes UTF-16LE with a BOM
      text = decoded;
    }
    std::istringstream in{std::string(text)};
    std::string line, pending;
    RecordedKey* current = nullptr;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      // A value continued on the next line ends with a backslash (regedit wraps long hex
      // values over as many lines as it needs).
      const bool continues = !line.empty() && line.back() == '\\';
      if (continues && (!pending.empty() || (line.find('=') != std::string::npos &&
                                             line.find("hex") != std::string::npos))) {
        pending += pending.empty() ? line.substr(0, line.size() - 1)
                                   : trim(std::string_view(line).substr(0, line.size() - 1));
        continue;
      }
      if (!pending.empty()) {
        line = pending + trim(line);
        pending.clear();
      }
      std::string t = trim(line);
      if (t.empty() || t[0] == ';' || t.rfind("Windows Registry Editor", 0) == 0 ||
          t == "REGEDIT4") {
        continue;
      }
      if (t.front() == '[' && t.back() == ']') {
        std::string raw = t.substr(1, t.size() - 2);
        auto path = normalize_key(raw);
        auto& key = keys_[path];
        key.path = raw;
        auto slash = raw.rfind('\\');
        key.name = slash == std::string::npos ? raw : raw.substr(slash + 1);
        current = &key;
        continue;
      }
      if (!current) continue;
      if (t.rfind("@lastwrite=", 0) == 0) {
        if (auto when = parse_rfc3339(t.substr(11))) {
          current->key.last_write_unix_ms =
              std::chrono::duration_cast<std::chrono::milliseconds>(when->time_since_epoch())
                  .count();
        }
        continue;
      }
      std::string name;
      std::size_t pos = 0;
      if (t[0] == '"') {
        name = parse_quoted(t, pos);
      } else if (t[0] == '@') {
        pos = 1;  // the default value, named ""
      } else {
        continue;
      }
      if (pos >= t.size() || t[pos] != '=') continue;
      current->key.values[name] = parse_value(trim(std::string_view(t).substr(pos + 1)));
    }
  }

  void load_files() {
    auto doc = load_json(dir_ / "files.json");
    files_ = doc && doc->is_object() ? *doc : nlohmann::json::object();
  }

  std::filesystem::path dir_;
  std::map<std::string, RecordedKey> keys_;  // by normalized path
  nlohmann::json files_;
};

}  // namespace

WinHostPtr make_recorded_win_host(const std::filesystem::path& dir) {
  return std::make_unique<RecordedWinHost>(dir);
}

}  // namespace triage::agent
