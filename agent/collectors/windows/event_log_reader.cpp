// wevtapi: EvtQuery (channel path, reverse direction, the XPath of win_queries.hpp), EvtNext in
// batches with a timeout, EvtRender with the System and User render contexts, EvtFormatMessage
// through each provider's publisher metadata. Cost: rendering is cheap; a provider's first
// message loads its message DLL (milliseconds), so sources ask for few records.
#include "agent/collectors/windows/event_log_reader.hpp"

#include "shared/util/windows/windows_api.hpp"
// After windows.h.
#include <sddl.h>
#include <winevt.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "agent/collectors/windows_sources/win_queries.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

constexpr DWORD kBatchSize = 32;
constexpr DWORD kBatchTimeoutMs = 5000;
constexpr auto kReadDeadline = std::chrono::seconds(30);
// Bounds on what one record keeps: a hostile or broken provider can write anything.
constexpr std::size_t kMaxDataValues = 256;
constexpr std::size_t kMaxDataText = 16 * 1024;
constexpr std::size_t kMaxMessageChars = 32 * 1024;

// wevtapi's errors (winerror.h spells them only in newer SDKs).
constexpr DWORD kChannelNotFound = 15007;
constexpr DWORD kInvalidQuery = 15001;
constexpr DWORD kUnresolvedValueInsert = 15029;
constexpr DWORD kUnresolvedParameterInsert = 15030;
constexpr DWORD kMaxInsertsReached = 15031;

/// An EVT_HANDLE closed when it goes away.
struct EvtHandle {
  EVT_HANDLE h = nullptr;
  EvtHandle() = default;
  explicit EvtHandle(EVT_HANDLE handle) : h(handle) {}
  ~EvtHandle() {
    if (h != nullptr) ::EvtClose(h);
  }
  EvtHandle(EvtHandle&& other) noexcept : h(other.h) { other.h = nullptr; }
  EvtHandle(const EvtHandle&) = delete;
  EvtHandle& operator=(const EvtHandle&) = delete;
};

std::string cut(std::string text, std::size_t limit) {
  if (text.size() > limit) text.resize(limit);
  return text;
}

std::string hex_bytes(const BYTE* bytes, std::size_t count) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < count && out.size() < kMaxDataText; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xF];
  }
  return out;
}

std::string guid_text(const GUID* g) {
  if (g == nullptr) return {};
  char text[40];
  std::snprintf(text, sizeof text, "{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                static_cast<unsigned long>(g->Data1), g->Data2, g->Data3, g->Data4[0], g->Data4[1],
                g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
  return text;
}

std::string sid_text(PSID sid) {
  wchar_t* text = nullptr;
  if (sid == nullptr || !::ConvertSidToStringSidW(sid, &text)) return {};
  std::string out = narrow(text);
  ::LocalFree(text);
  return out;
}

std::string hex_number(std::uint64_t n) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(n));
  return text;
}

std::string filetime_text(std::uint64_t filetime) {
  return event_system_time(filetime_to_unix_ms(filetime));
}

/// One scalar of an EVT_VARIANT as the Event Viewer's details pane writes it.
std::string scalar_text(const EVT_VARIANT& v) {
  switch (v.Type & EVT_VARIANT_TYPE_MASK) {
    case EvtVarTypeString:
      return v.StringVal == nullptr ? std::string() : narrow(v.StringVal);
    case EvtVarTypeAnsiString:
      return v.AnsiStringVal == nullptr ? std::string() : std::string(v.AnsiStringVal);
    case EvtVarTypeSByte:
      return std::to_string(v.SByteVal);
    case EvtVarTypeByte:
      return std::to_string(v.ByteVal);
    case EvtVarTypeInt16:
      return std::to_string(v.Int16Val);
    case EvtVarTypeUInt16:
      return std::to_string(v.UInt16Val);
    case EvtVarTypeInt32:
      return std::to_string(v.Int32Val);
    case EvtVarTypeUInt32:
      return std::to_string(v.UInt32Val);
    case EvtVarTypeInt64:
      return std::to_string(v.Int64Val);
    case EvtVarTypeUInt64:
      return std::to_string(v.UInt64Val);
    case EvtVarTypeSingle:
      return std::to_string(v.SingleVal);
    case EvtVarTypeDouble:
      return std::to_string(v.DoubleVal);
    case EvtVarTypeBoolean:
      return v.BooleanVal ? "true" : "false";
    case EvtVarTypeBinary:
      return v.BinaryVal == nullptr ? std::string() : hex_bytes(v.BinaryVal, v.Count);
    case EvtVarTypeGuid:
      return guid_text(v.GuidVal);
    case EvtVarTypeSizeT:
      return std::to_string(v.SizeTVal);
    case EvtVarTypeFileTime:
      return filetime_text(v.FileTimeVal);
    case EvtVarTypeSysTime: {
      FILETIME ft{};
      if (v.SysTimeVal == nullptr || !::SystemTimeToFileTime(v.SysTimeVal, &ft)) return {};
      return filetime_text((static_cast<std::uint64_t>(ft.dwHighDateTime) << 32) |
                           ft.dwLowDateTime);
    }
    case EvtVarTypeSid:
      return sid_text(v.SidVal);
    case EvtVarTypeHexInt32:
      return hex_number(v.UInt32Val);
    case EvtVarTypeHexInt64:
      return hex_number(v.UInt64Val);
    default:
      return {};  // null, handles, XML fragments
  }
}

/// Item `i` of an array EVT_VARIANT, as a scalar one.
EVT_VARIANT array_item(const EVT_VARIANT& v, DWORD i) {
  EVT_VARIANT e{};
  e.Type = v.Type & EVT_VARIANT_TYPE_MASK;
  e.Count = 1;
  switch (e.Type) {
    case EvtVarTypeString:
      e.StringVal = v.StringArr[i];
      break;
    case EvtVarTypeAnsiString:
      e.AnsiStringVal = v.AnsiStringArr[i];
      break;
    case EvtVarTypeSByte:
      e.SByteVal = v.SByteArr[i];
      break;
    case EvtVarTypeByte:
      e.ByteVal = v.ByteArr[i];
      break;
    case EvtVarTypeInt16:
      e.Int16Val = v.Int16Arr[i];
      break;
    case EvtVarTypeUInt16:
      e.UInt16Val = v.UInt16Arr[i];
      break;
    case EvtVarTypeInt32:
      e.Int32Val = v.Int32Arr[i];
      break;
    case EvtVarTypeUInt32:
    case EvtVarTypeHexInt32:
      e.UInt32Val = v.UInt32Arr[i];
      break;
    case EvtVarTypeInt64:
      e.Int64Val = v.Int64Arr[i];
      break;
    case EvtVarTypeUInt64:
    case EvtVarTypeHexInt64:
      e.UInt64Val = v.UInt64Arr[i];
      break;
    case EvtVarTypeGuid:
      e.GuidVal = &v.GuidArr[i];
      break;
    case EvtVarTypeSid:
      e.SidVal = v.SidArr[i];
      break;
    default:
      e.Type = EvtVarTypeNull;
      break;
  }
  return e;
}

std::string variant_text(const EVT_VARIANT& v) {
  if ((v.Type & EVT_VARIANT_TYPE_ARRAY) == 0) return cut(scalar_text(v), kMaxDataText);
  std::string out;
  for (DWORD i = 0; i < v.Count && out.size() < kMaxDataText; ++i) {
    if (i > 0) out += ", ";
    out += scalar_text(array_item(v, i));
  }
  return cut(std::move(out), kMaxDataText);
}

/// The values `context` selects of `event`, in a buffer that keeps their strings alive.
std::vector<EVT_VARIANT> render(EVT_HANDLE context, EVT_HANDLE event) {
  DWORD used = 0, count = 0;
  if (::EvtRender(context, event, EvtRenderEventValues, 0, nullptr, &used, &count) ||
      ::GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
    return {};
  }
  std::vector<EVT_VARIANT> buffer((used + sizeof(EVT_VARIANT) - 1) / sizeof(EVT_VARIANT));
  if (!::EvtRender(context, event, EvtRenderEventValues,
                   static_cast<DWORD>(buffer.size() * sizeof(EVT_VARIANT)), buffer.data(), &used,
                   &count)) {
    return {};
  }
  buffer.resize(std::min<std::size_t>(count, buffer.size()));
  return buffer;
}

/// The message of `event`, or "" when its publisher has no message for it.
std::string format_message(EVT_HANDLE publisher, EVT_HANDLE event) {
  if (publisher == nullptr) return {};
  DWORD used = 0;
  if (::EvtFormatMessage(publisher, event, 0, 0, nullptr, EvtFormatMessageEvent, 0, nullptr,
                         &used) ||
      ::GetLastError() != ERROR_INSUFFICIENT_BUFFER || used == 0) {
    return {};
  }
  std::wstring text(used, L'\0');
  if (!::EvtFormatMessage(publisher, event, 0, 0, nullptr, EvtFormatMessageEvent, used, text.data(),
                          &used)) {
    // A message whose inserts could not all be resolved is still the message.
    const DWORD e = ::GetLastError();
    if (e != kUnresolvedValueInsert && e != kUnresolvedParameterInsert && e != kMaxInsertsReached)
      return {};
  }
  if (auto nul = text.find(L'\0'); nul != std::wstring::npos) text.resize(nul);
  while (!text.empty() && (text.back() == L'\r' || text.back() == L'\n' || text.back() == L' '))
    text.pop_back();
  return cut(narrow(text), kMaxMessageChars);
}

/// Publisher metadata by provider name for one read (nullptr when the provider has none).
class Publishers {
 public:
  ~Publishers() {
    for (auto& [name, handle] : handles_) {
      if (handle != nullptr) ::EvtClose(handle);
    }
  }
  EVT_HANDLE get(const std::wstring& provider) {
    if (auto it = handles_.find(provider); it != handles_.end()) return it->second;
    EVT_HANDLE h = ::EvtOpenPublisherMetadata(nullptr, provider.c_str(), nullptr, 0, 0);
    handles_.emplace(provider, h);
    return h;
  }

 private:
  std::map<std::wstring, EVT_HANDLE> handles_;
};

Error query_error(DWORD code, const std::string& log) {
  const std::string what = "Event Log " + log;
  switch (code) {
    case kChannelNotFound:
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
      return Error{what + " not found", ErrorCode::kNotFound};
    case kInvalidQuery:
      return Error{what + ": the query was refused (" + windows_error_text(code) + ")",
                   ErrorCode::kInvalid};
    case ERROR_ACCESS_DENIED:
      return Error{what + ": " + windows_error_text(code), ErrorCode::kDenied};
    case 0:
      // Wine's wevtapi fails without saying why.
      return Error{what + ": the Event Log service answered nothing", ErrorCode::kUnavailable};
    case ERROR_CALL_NOT_IMPLEMENTED:
    case ERROR_TIMEOUT:
    case RPC_S_SERVER_UNAVAILABLE:
      return Error{what + ": " + windows_error_text(code), ErrorCode::kUnavailable};
    default:
      return Error{what + ": " + windows_error_text(code)};
  }
}

EventRecord to_record(const EventQuery& query, EVT_HANDLE event, EVT_HANDLE system, EVT_HANDLE user,
                      Publishers& publishers) {
  EventRecord r;
  r.log = query.log;
  const auto values = render(system, event);
  std::wstring provider;
  if (values.size() > EvtSystemProviderName &&
      values[EvtSystemProviderName].Type == EvtVarTypeString &&
      values[EvtSystemProviderName].StringVal != nullptr) {
    provider = values[EvtSystemProviderName].StringVal;
    r.provider = cut(narrow(provider), kMaxDataText);
  }
  if (values.size() > EvtSystemEventID && values[EvtSystemEventID].Type == EvtVarTypeUInt16)
    r.event_id = values[EvtSystemEventID].UInt16Val;
  if (values.size() > EvtSystemLevel && values[EvtSystemLevel].Type == EvtVarTypeByte)
    r.level = values[EvtSystemLevel].ByteVal;
  if (values.size() > EvtSystemTimeCreated &&
      values[EvtSystemTimeCreated].Type == EvtVarTypeFileTime) {
    r.time_unix_ms = filetime_to_unix_ms(values[EvtSystemTimeCreated].FileTimeVal);
  }
  for (const auto& v : render(user, event)) {
    if (r.data.size() >= kMaxDataValues) break;
    r.data.push_back(variant_text(v));
  }
  if (!provider.empty()) r.message = format_message(publishers.get(provider), event);
  return r;
}

}  // namespace

Result<std::vector<EventRecord>> read_event_log(const EventQuery& query) {
  auto xpath = event_xpath(query);
  if (!xpath) return tl::unexpected(xpath.error());
  auto channel = widen(query.log);
  if (!channel || channel->empty())
    return fail(ErrorCode::kInvalid, "Event Log name is not valid text");
  auto filter = widen(*xpath);
  if (!filter) return tl::unexpected(filter.error());

  std::vector<EventRecord> out;
  if (query.max_records == 0) return out;
  ::SetLastError(0);
  EvtHandle results(::EvtQuery(nullptr, channel->c_str(), filter->c_str(),
                               EvtQueryChannelPath | EvtQueryReverseDirection));
  if (results.h == nullptr) return tl::unexpected(query_error(::GetLastError(), query.log));
  EvtHandle system(::EvtCreateRenderContext(0, nullptr, EvtRenderContextSystem));
  EvtHandle user(::EvtCreateRenderContext(0, nullptr, EvtRenderContextUser));
  if (system.h == nullptr || user.h == nullptr)
    return tl::unexpected(query_error(::GetLastError(), query.log));

  Publishers publishers;
  const auto deadline = std::chrono::steady_clock::now() + kReadDeadline;
  while (out.size() < query.max_records && std::chrono::steady_clock::now() < deadline) {
    EVT_HANDLE batch[kBatchSize] = {};
    DWORD returned = 0;
    if (!::EvtNext(results.h, kBatchSize, batch, kBatchTimeoutMs, 0, &returned)) {
      const DWORD e = ::GetLastError();
      if (e == ERROR_NO_MORE_ITEMS || !out.empty()) break;
      return tl::unexpected(query_error(e, query.log));
    }
    for (DWORD i = 0; i < returned; ++i) {
      EvtHandle event(batch[i]);
      if (out.size() < query.max_records)
        out.push_back(to_record(query, event.h, system.h, user.h, publishers));
    }
    if (returned == 0) break;
  }
  return out;
}

}  // namespace triage::agent
