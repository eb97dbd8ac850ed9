#pragma once
// Conversions the Windows sources share: Windows times, UTF-16 bytes, typed reads of WMI and
// gatherer answers (which never throw on a value of another type), and the WinHost of a
// collector run.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/collectors/collect_context.hpp"
#include "agent/collectors/windows_sources/win_host.hpp"

namespace triage::agent {

/// The WinHost of this run, or null (and the collector marked unavailable) when the host is
/// not a Windows machine.
WinHost* windows_host(CollectContext& ctx);

/// 100-ns intervals since 1601-01-01 (FILETIME) to Unix milliseconds; 0 stays 0.
std::int64_t filetime_to_unix_ms(std::uint64_t filetime);

/// A CIM datetime "20240115093000.000000+060" (local time with its offset in minutes) to Unix
/// milliseconds; nullopt when malformed.
std::optional<std::int64_t> wmi_datetime_to_unix_ms(std::string_view text);

/// "20240115" (the Uninstall keys' InstallDate) or "1/15/2024" (Win32_QuickFixEngineering's
/// InstalledOn) to Unix milliseconds at 00:00 UTC; nullopt when neither.
std::optional<std::int64_t> windows_date_to_unix_ms(std::string_view text);

/// UTF-16LE bytes (without a BOM) to UTF-8; an unpaired surrogate becomes U+FFFD.
std::string utf16le_to_utf8(std::string_view bytes);

/// A file's text: UTF-16LE when it starts with its BOM, else UTF-8 (a UTF-8 BOM dropped).
std::string decode_text_file(std::string_view bytes);

/// `object[key]` as text: a string as is, a number or bool written out, else "".
std::string json_text(const nlohmann::json& object, std::string_view key);
/// `object[key]` as an unsigned number (a number, or decimal text as WMI gives 64-bit values).
std::optional<std::uint64_t> json_uint(const nlohmann::json& object, std::string_view key);
/// `object[key]` as a bool (a bool, or a number: non-zero is true).
std::optional<bool> json_bool(const nlohmann::json& object, std::string_view key);

}  // namespace triage::agent
