// RegOpenKeyExW (KEY_READ, the asked WOW64 view), RegQueryInfoKeyW, RegEnumValueW for each
// value's name, type and data, RegEnumKeyExW for the subkeys. Cheap: a few microseconds a
// value.
#include "agent/collectors/windows/win_registry_reader.hpp"

#include "shared/util/windows/windows_api.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

#include "agent/collectors/windows_sources/win_values.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

// The longest key or value name Windows allows is 16,383 characters.
constexpr DWORD kMaxNameChars = 16384;

struct KeyCloser {
  HKEY key = nullptr;
  ~KeyCloser() {
    if (key != nullptr) ::RegCloseKey(key);
  }
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// The predefined key `path` starts with, and the rest of the path after its backslash.
Result<std::pair<HKEY, std::string_view>> split_root(std::string_view path) {
  static const struct {
    std::string_view short_name, long_name;
    HKEY root;
  } kRoots[] = {
      {"HKLM", "HKEY_LOCAL_MACHINE", HKEY_LOCAL_MACHINE},
      {"HKU", "HKEY_USERS", HKEY_USERS},
      {"HKCR", "HKEY_CLASSES_ROOT", HKEY_CLASSES_ROOT},
      {"HKCU", "HKEY_CURRENT_USER", HKEY_CURRENT_USER},
  };
  const auto slash = path.find('\\');
  const auto first = path.substr(0, slash);
  auto rest = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  while (!rest.empty() && rest.back() == '\\') rest.remove_suffix(1);
  for (const auto& r : kRoots) {
    if (equals_ignoring_case(first, r.short_name) || equals_ignoring_case(first, r.long_name))
      return std::make_pair(r.root, rest);
  }
  return fail(ErrorCode::kInvalid, "registry path `" + std::string(path.substr(0, 80)) +
                                       "` does not start with HKLM, HKU, HKCR or HKCU");
}

REGSAM view_flag(RegistryView view) {
  switch (view) {
    case RegistryView::k64:
      return KEY_WOW64_64KEY;
    case RegistryView::k32:
      return KEY_WOW64_32KEY;
    case RegistryView::kDefault:
      break;
  }
  return 0;
}

std::wstring_view wide_chars(const std::vector<BYTE>& data) {
  return {reinterpret_cast<const wchar_t*>(data.data()), data.size() / sizeof(wchar_t)};
}

/// REG_SZ data as stored: perhaps without its NUL, perhaps with several.
std::string registry_text(const std::vector<BYTE>& data) {
  auto chars = wide_chars(data);
  if (auto nul = chars.find(L'\0'); nul != std::wstring_view::npos) chars = chars.substr(0, nul);
  return narrow(chars);
}

std::uint64_t little_endian(const std::vector<BYTE>& data, std::size_t width) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < width && i < data.size(); ++i)
    n |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  return n;
}

RegistryValue to_value(DWORD type, std::vector<BYTE> data) {
  RegistryValue v;
  switch (type) {
    case REG_SZ:
      v.type = RegistryValue::Type::kString;
      v.text = registry_text(data);
      break;
    case REG_EXPAND_SZ:
      v.type = RegistryValue::Type::kExpandString;
      v.text = registry_text(data);
      break;
    case REG_MULTI_SZ: {
      v.type = RegistryValue::Type::kMultiString;
      auto chars = wide_chars(data);
      // The list ends at its first empty string (the double NUL).
      while (!chars.empty()) {
        const auto nul = chars.find(L'\0');
        const auto item = chars.substr(0, nul);
        if (item.empty()) break;
        v.strings.push_back(narrow(item));
        if (nul == std::wstring_view::npos) break;
        chars.remove_prefix(nul + 1);
      }
      break;
    }
    case REG_DWORD:
      v.type = RegistryValue::Type::kDword;
      v.number = little_endian(data, 4);
      break;
    case REG_QWORD:
      v.type = RegistryValue::Type::kQword;
      v.number = little_endian(data, 8);
      break;
    case REG_BINARY:
      v.type = RegistryValue::Type::kBinary;
      v.bytes.assign(data.begin(), data.end());
      break;
    default:
      v.type = RegistryValue::Type::kOther;
      v.bytes.assign(data.begin(), data.end());
      break;
  }
  return v;
}

Error open_error(LSTATUS rc, std::string_view path) {
  const std::string what = "registry key " + std::string(path);
  if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND)
    return Error{what + " not found", ErrorCode::kNotFound};
  if (rc == ERROR_ACCESS_DENIED)
    return Error{what + ": " + windows_error_text(static_cast<DWORD>(rc)), ErrorCode::kDenied};
  return Error{what + ": " + windows_error_text(static_cast<DWORD>(rc))};
}

/// Value `name`'s data when it did not fit the enumeration's buffer (it grew meanwhile, or it
/// is larger than the cap): read alone, or left out.
bool read_large_value(HKEY key, const wchar_t* name, DWORD& type, std::vector<BYTE>& data) {
  DWORD size = 0;
  if (::RegQueryValueExW(key, name, nullptr, &type, nullptr, &size) != ERROR_SUCCESS ||
      size > kMaxRegistryValueBytes) {
    return false;
  }
  data.resize(size);
  if (::RegQueryValueExW(key, name, nullptr, &type, data.data(), &size) != ERROR_SUCCESS)
    return false;
  data.resize(size);
  return true;
}

/// One RegEnumValueW per value, into a buffer sized for the key's largest value (each call is a
/// round trip to the registry; an Uninstall key has thousands of values under it).
void read_values(HKEY key, DWORD count, DWORD max_data_bytes, RegistryKey& out) {
  std::vector<wchar_t> name(kMaxNameChars + 1);
  std::vector<BYTE> buffer(std::min<std::size_t>(max_data_bytes, kMaxRegistryValueBytes) + 8);
  const DWORD wanted = std::min<DWORD>(count, kMaxRegistryValues);
  for (DWORD i = 0; i < wanted; ++i) {
    DWORD name_chars = static_cast<DWORD>(name.size());
    DWORD type = 0;
    DWORD size = static_cast<DWORD>(buffer.size());
    const LSTATUS rc =
        ::RegEnumValueW(key, i, name.data(), &name_chars, nullptr, &type, buffer.data(), &size);
    if (rc == ERROR_NO_MORE_ITEMS) break;  // values removed while we read
    std::vector<BYTE> data;
    if (rc == ERROR_MORE_DATA) {
      // The name is not promised when the data did not fit: ask for it alone.
      name_chars = static_cast<DWORD>(name.size());
      if (::RegEnumValueW(key, i, name.data(), &name_chars, nullptr, &type, nullptr, nullptr) !=
              ERROR_SUCCESS ||
          !read_large_value(key, name.data(), type, data)) {
        continue;
      }
    } else if (rc == ERROR_SUCCESS) {
      data.assign(buffer.begin(), buffer.begin() + std::min<std::size_t>(size, buffer.size()));
    } else {
      continue;
    }
    out.values[narrow(std::wstring_view(name.data(), name_chars))] =
        to_value(type, std::move(data));
  }
}

void read_subkeys(HKEY key, DWORD count, RegistryKey& out) {
  std::vector<wchar_t> name(kMaxNameChars + 1);
  const DWORD wanted = std::min<DWORD>(count, kMaxRegistrySubkeys);
  out.subkeys.reserve(wanted);
  for (DWORD i = 0; i < wanted; ++i) {
    DWORD name_chars = static_cast<DWORD>(name.size());
    const LSTATUS rc =
        ::RegEnumKeyExW(key, i, name.data(), &name_chars, nullptr, nullptr, nullptr, nullptr);
    if (rc == ERROR_NO_MORE_ITEMS) break;
    if (rc != ERROR_SUCCESS) continue;
    out.subkeys.push_back(narrow(std::wstring_view(name.data(), name_chars)));
  }
}

}  // namespace

Result<RegistryKey> read_registry_key(std::string_view path, RegistryView view) {
  auto root = split_root(path);
  if (!root) return tl::unexpected(root.error());
  auto sub = widen(root->second);
  if (!sub) return fail(ErrorCode::kInvalid, "registry path is not UTF-8 text");

  KeyCloser key;
  LSTATUS rc = ::RegOpenKeyExW(root->first, sub->c_str(), 0, KEY_READ | view_flag(view), &key.key);
  if (rc != ERROR_SUCCESS) return tl::unexpected(open_error(rc, path));

  DWORD subkeys = 0, values = 0, max_data_bytes = 0;
  FILETIME written{};
  rc = ::RegQueryInfoKeyW(key.key, nullptr, nullptr, nullptr, &subkeys, nullptr, nullptr, &values,
                          nullptr, &max_data_bytes, nullptr, &written);
  if (rc != ERROR_SUCCESS) return tl::unexpected(open_error(rc, path));

  RegistryKey out;
  out.last_write_unix_ms = filetime_to_unix_ms(
      (static_cast<std::uint64_t>(written.dwHighDateTime) << 32) | written.dwLowDateTime);
  read_values(key.key, values, max_data_bytes, out);
  read_subkeys(key.key, subkeys, out);
  return out;
}

}  // namespace triage::agent
