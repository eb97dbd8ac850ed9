// IWbemLocator::ConnectServer once per namespace, IWbemServices::ExecQuery (WQL, forward-only,
// return immediately) and IEnumWbemClassObject::Next with a timeout per batch. Cost: the first
// connection of a process loads WMI's provider (tens of milliseconds); a query costs what its
// provider does (Win32_Product is slow, most classes are cheap).
#include "agent/collectors/windows/wmi_client.hpp"

#include "shared/util/windows/windows_api.hpp"
// COM after windows.h.
#include <objbase.h>
#include <oleauto.h>
#include <wbemidl.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <mutex>

#include "agent/collectors/windows_sources/win_queries.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

constexpr long kBatchTimeoutMs = 5000;
constexpr ULONG kBatchSize = 64;
// A query that trickles one row per batch would otherwise take hours.
constexpr auto kQueryDeadline = std::chrono::seconds(30);
constexpr std::size_t kMaxArrayItems = 4096;

// The WBEMSTATUS values as HRESULTs (the enum is unsigned, HRESULT is not).
constexpr HRESULT kInvalidNamespace = static_cast<HRESULT>(WBEM_E_INVALID_NAMESPACE);
constexpr HRESULT kInvalidClass = static_cast<HRESULT>(WBEM_E_INVALID_CLASS);
constexpr HRESULT kNotFound = static_cast<HRESULT>(WBEM_E_NOT_FOUND);
constexpr HRESULT kAccessDenied = static_cast<HRESULT>(WBEM_E_ACCESS_DENIED);
constexpr HRESULT kTimedOut = static_cast<HRESULT>(WBEM_E_TIMED_OUT);
constexpr HRESULT kInvalidQuery = static_cast<HRESULT>(WBEM_E_INVALID_QUERY);

/// Joins the calling thread to COM's multithreaded apartment on its first WMI call and leaves
/// it when the thread ends (one CoInitializeEx, one CoUninitialize). A thread that is already
/// in a single-threaded apartment stays there: COM works in it too, and it is not ours to leave.
class ComApartment {
 public:
  ComApartment() : hr_(::CoInitializeEx(nullptr, COINIT_MULTITHREADED)) {}
  ~ComApartment() {
    if (SUCCEEDED(hr_)) ::CoUninitialize();
  }
  ComApartment(const ComApartment&) = delete;
  ComApartment& operator=(const ComApartment&) = delete;
  bool joined() const { return SUCCEEDED(hr_) || hr_ == RPC_E_CHANGED_MODE; }
  HRESULT result() const { return hr_; }

 private:
  HRESULT hr_;
};

ComApartment& this_thread_apartment() {
  thread_local ComApartment apartment;
  return apartment;
}

/// The process's COM security, once: identify and impersonate, as WMI's local queries need.
/// RPC_E_TOO_LATE means the program set it already, which is as good.
void initialize_security_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::CoInitializeSecurity(nullptr, -1, nullptr, nullptr, RPC_C_AUTHN_LEVEL_DEFAULT,
                           RPC_C_IMP_LEVEL_IMPERSONATE, nullptr, EOAC_NONE, nullptr);
  });
}

/// Releases a COM pointer when it goes away.
template <class T>
struct Released {
  T* p = nullptr;
  ~Released() {
    if (p != nullptr) p->Release();
  }
};

struct Bstr {
  BSTR s = nullptr;
  explicit Bstr(const std::wstring& text) : s(::SysAllocStringLen(text.data(), text.size())) {}
  ~Bstr() { ::SysFreeString(s); }
  Bstr(const Bstr&) = delete;
  Bstr& operator=(const Bstr&) = delete;
};

struct Variant {
  VARIANT v;
  Variant() { ::VariantInit(&v); }
  ~Variant() { ::VariantClear(&v); }
  Variant(const Variant&) = delete;
  Variant& operator=(const Variant&) = delete;
};

std::string hresult_text(HRESULT hr) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08lX", static_cast<unsigned long>(hr));
  return text;
}

Error wmi_error(HRESULT hr, std::string_view what) {
  const std::string message = std::string(what) + ": WMI error " + hresult_text(hr);
  switch (hr) {
    case kInvalidNamespace:
    case kInvalidClass:
    case kNotFound:
      return Error{std::string(what) + ": not on this machine (" + hresult_text(hr) + ")",
                   ErrorCode::kNotFound};
    case kAccessDenied:
    case E_ACCESSDENIED:
      return Error{message + " (access denied)", ErrorCode::kDenied};
    case kTimedOut:
    case static_cast<HRESULT>(WBEM_S_TIMEDOUT):
      return Error{std::string(what) + ": WMI did not answer in time", ErrorCode::kUnavailable};
    default:
      return Error{message};
  }
}

nlohmann::json text_value(BSTR text, CIMTYPE base) {
  const std::string s =
      text == nullptr ? std::string() : narrow(std::wstring_view(text, ::SysStringLen(text)));
  // WMI hands 64-bit integers over as decimal text.
  if (base == CIM_UINT64) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return n;
  } else if (base == CIM_SINT64) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return n;
  }
  return s;
}

/// An integer as its CIM type says: WMI carries uint32 in a VT_I4, uint16 in a VT_I4, sint8
/// in a VT_I2, so the VARIANT's own type does not tell the sign.
nlohmann::json integer_value(std::int64_t n, CIMTYPE base) {
  switch (base) {
    case CIM_UINT8:
      return static_cast<std::uint8_t>(n);
    case CIM_SINT8:
      return static_cast<std::int8_t>(n);
    case CIM_UINT16:
    case CIM_CHAR16:
      return static_cast<std::uint16_t>(n);
    case CIM_SINT16:
      return static_cast<std::int16_t>(n);
    case CIM_UINT32:
      return static_cast<std::uint32_t>(n);
    case CIM_SINT32:
      return static_cast<std::int32_t>(n);
    case CIM_UINT64:
      return static_cast<std::uint64_t>(n);
    default:
      return n;
  }
}

/// One value of type `vt` stored at `p` (a VARIANT's union, or a SAFEARRAY element).
nlohmann::json element_value(VARTYPE vt, const void* p, CIMTYPE base) {
  switch (vt) {
    case VT_BSTR:
      return text_value(*static_cast<const BSTR*>(p), base);
    case VT_BOOL:
      return *static_cast<const VARIANT_BOOL*>(p) != VARIANT_FALSE;
    case VT_I1:
      return integer_value(*static_cast<const signed char*>(p), base);
    case VT_UI1:
      return integer_value(*static_cast<const unsigned char*>(p), base);
    case VT_I2:
      return integer_value(*static_cast<const SHORT*>(p), base);
    case VT_UI2:
      return integer_value(*static_cast<const USHORT*>(p), base);
    case VT_I4:
    case VT_INT:
      return integer_value(*static_cast<const LONG*>(p), base);
    case VT_UI4:
    case VT_UINT:
      return integer_value(*static_cast<const ULONG*>(p), base);
    case VT_I8:
      return integer_value(*static_cast<const LONGLONG*>(p), base);
    case VT_UI8:
      return static_cast<std::uint64_t>(*static_cast<const ULONGLONG*>(p));
    case VT_R4: {
      const float f = *static_cast<const float*>(p);
      return std::isfinite(f) ? nlohmann::json(f) : nlohmann::json(nullptr);
    }
    case VT_R8: {
      const double d = *static_cast<const double*>(p);
      return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr);
    }
    default:
      // VT_NULL, VT_EMPTY, embedded objects (VT_UNKNOWN): nothing a source reads.
      return nullptr;
  }
}

nlohmann::json array_value(SAFEARRAY* array, CIMTYPE base) {
  nlohmann::json out = nlohmann::json::array();
  VARTYPE vt = VT_EMPTY;
  LONG low = 0, high = -1;
  if (array == nullptr || ::SafeArrayGetDim(array) != 1 ||
      FAILED(::SafeArrayGetVartype(array, &vt)) || FAILED(::SafeArrayGetLBound(array, 1, &low)) ||
      FAILED(::SafeArrayGetUBound(array, 1, &high))) {
    return out;
  }
  void* data = nullptr;
  if (FAILED(::SafeArrayAccessData(array, &data))) return out;
  const auto size = ::SafeArrayGetElemsize(array);
  const auto count = high >= low ? static_cast<std::size_t>(high - low) + 1 : 0;
  for (std::size_t i = 0; i < count && i < kMaxArrayItems; ++i)
    out.push_back(element_value(vt, static_cast<const char*>(data) + i * size, base));
  ::SafeArrayUnaccessData(array);
  return out;
}

nlohmann::json to_json(const VARIANT& v, CIMTYPE type) {
  const CIMTYPE base = type & ~CIM_FLAG_ARRAY;
  if ((V_VT(&v) & VT_ARRAY) != 0) return array_value(V_ARRAY(&v), base);
  return element_value(V_VT(&v), &v.llVal, base);
}

nlohmann::json property(IWbemClassObject* object, const std::wstring& name) {
  Variant value;
  CIMTYPE type = CIM_EMPTY;
  if (FAILED(object->Get(name.c_str(), 0, &value.v, &type, nullptr))) return nullptr;
  return to_json(value.v, type);
}

nlohmann::json every_property(IWbemClassObject* object) {
  nlohmann::json row = nlohmann::json::object();
  if (FAILED(object->BeginEnumeration(WBEM_FLAG_NONSYSTEM_ONLY))) return row;
  for (;;) {
    BSTR name = nullptr;
    Variant value;
    CIMTYPE type = CIM_EMPTY;
    if (object->Next(0, &name, &value.v, &type, nullptr) != WBEM_S_NO_ERROR) break;
    row[narrow(std::wstring_view(name, ::SysStringLen(name)))] = to_json(value.v, type);
    ::SysFreeString(name);
  }
  object->EndEnumeration();
  return row;
}

struct QueryFailure {
  HRESULT hr;
  Error error;
};

/// Runs `wql` and maps each instance; the HRESULT of a failure tells the caller what to retry.
tl::expected<std::vector<nlohmann::json>, QueryFailure> run_query(
    IWbemServices* services, const std::string& wql, const std::vector<std::string>& properties,
    std::string_view what) {
  auto text = widen(wql);
  if (!text) return tl::unexpected(QueryFailure{E_INVALIDARG, text.error()});
  Bstr language(L"WQL");
  Bstr query(*text);
  Released<IEnumWbemClassObject> rows;
  HRESULT hr = services->ExecQuery(
      language.s, query.s, WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, nullptr, &rows.p);
  if (FAILED(hr)) return tl::unexpected(QueryFailure{hr, wmi_error(hr, what)});

  std::vector<std::wstring> names;
  for (const auto& p : properties) names.push_back(widen(p).value_or(std::wstring()));

  std::vector<nlohmann::json> out;
  const auto deadline = std::chrono::steady_clock::now() + kQueryDeadline;
  while (out.size() < kMaxWmiRows) {
    IWbemClassObject* batch[kBatchSize] = {};
    ULONG returned = 0;
    hr = rows.p->Next(kBatchTimeoutMs, kBatchSize, batch, &returned);
    for (ULONG i = 0; i < returned; ++i) {
      if (out.size() < kMaxWmiRows) {
        if (names.empty()) {
          out.push_back(every_property(batch[i]));
        } else {
          nlohmann::json row = nlohmann::json::object();
          for (std::size_t p = 0; p < names.size(); ++p)
            row[properties[p]] = property(batch[i], names[p]);
          out.push_back(std::move(row));
        }
      }
      batch[i]->Release();
    }
    if (FAILED(hr)) return tl::unexpected(QueryFailure{hr, wmi_error(hr, what)});
    if (hr == WBEM_S_FALSE) break;  // the last batch
    if (hr == WBEM_S_TIMEDOUT && returned == 0) {
      return tl::unexpected(QueryFailure{hr, wmi_error(hr, what)});
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return tl::unexpected(
          QueryFailure{kTimedOut, Error{std::string(what) + ": WMI still answering after " +
                                            std::to_string(kQueryDeadline.count()) + " s",
                                        ErrorCode::kUnavailable}});
    }
  }
  return out;
}

}  // namespace

WmiClient::~WmiClient() {
  // COM objects are released in the apartment that made them; from another thread (or after
  // that thread ended) they are left to the process's end instead.
  if (thread_ == std::this_thread::get_id()) release_all();
}

void WmiClient::release_all() {
  for (auto& [name, services] : services_) services->Release();
  services_.clear();
  if (locator_ != nullptr) locator_->Release();
  locator_ = nullptr;
}

Result<void> WmiClient::start() {
  if (thread_ != std::this_thread::get_id()) {
    // Another thread's connections: not usable here, and not ours to release (see ~WmiClient).
    services_.clear();
    locator_ = nullptr;
    thread_ = std::this_thread::get_id();
  }
  if (locator_ != nullptr) return {};
  auto& apartment = this_thread_apartment();
  if (!apartment.joined()) {
    return fail(ErrorCode::kUnavailable,
                "COM cannot start on this thread (" + hresult_text(apartment.result()) + ")");
  }
  initialize_security_once();
  const HRESULT hr = ::CoCreateInstance(CLSID_WbemLocator, nullptr, CLSCTX_INPROC_SERVER,
                                        IID_IWbemLocator, reinterpret_cast<void**>(&locator_));
  if (FAILED(hr)) {
    locator_ = nullptr;
    return fail(ErrorCode::kUnavailable, "WMI is not available (" + hresult_text(hr) + ")");
  }
  return {};
}

Result<IWbemServices*> WmiClient::services(std::string_view wmi_namespace) {
  if (auto started = start(); !started) return tl::unexpected(started.error());
  if (auto it = services_.find(wmi_namespace); it != services_.end()) return it->second;
  auto name = widen(wmi_namespace);
  if (!name || name->empty()) return fail(ErrorCode::kInvalid, "WMI namespace is not valid text");
  Bstr ns(*name);
  IWbemServices* services = nullptr;
  // USE_MAX_WAIT: a wedged WMI service answers within two minutes instead of never.
  HRESULT hr = locator_->ConnectServer(ns.s, nullptr, nullptr, nullptr,
                                       WBEM_FLAG_CONNECT_USE_MAX_WAIT, nullptr, nullptr, &services);
  if (FAILED(hr)) {
    return tl::unexpected(wmi_error(hr, "WMI namespace " + std::string(wmi_namespace)));
  }
  // Local calls impersonate the agent's own account; without this some providers refuse.
  ::CoSetProxyBlanket(services, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, nullptr,
                      RPC_C_AUTHN_LEVEL_CALL, RPC_C_IMP_LEVEL_IMPERSONATE, nullptr, EOAC_NONE);
  services_.emplace(std::string(wmi_namespace), services);
  return services;
}

Result<std::vector<nlohmann::json>> WmiClient::query(std::string_view wmi_namespace,
                                                     std::string_view wmi_class,
                                                     const std::vector<std::string>& properties) {
  auto wql = wql_select(wmi_class, properties);
  if (!wql) return tl::unexpected(wql.error());
  auto services = this->services(wmi_namespace);
  if (!services) return tl::unexpected(services.error());
  const std::string what = "WMI class " + std::string(wmi_namespace) + ":" + std::string(wmi_class);
  auto rows = run_query(*services, *wql, properties, what);
  // A property this Windows version lacks makes the whole select invalid: ask for every
  // property instead and leave the missing one null.
  if (!rows && rows.error().hr == kInvalidQuery && !properties.empty()) {
    rows = run_query(*services, "SELECT * FROM " + std::string(wmi_class), properties, what);
  }
  if (!rows) return tl::unexpected(rows.error().error);
  // Wine (and some providers) answer a class that does not exist with no rows: an empty answer
  // stands only when the class is defined.
  if (rows->empty()) {
    Bstr path(widen(wmi_class).value_or(std::wstring()));
    IWbemClassObject* definition = nullptr;
    const HRESULT hr = (*services)->GetObject(path.s, 0, nullptr, &definition, nullptr);
    if (definition != nullptr) definition->Release();
    if (auto e = wmi_error(hr, what); FAILED(hr) && e.code == ErrorCode::kNotFound)
      return tl::unexpected(std::move(e));
  }
  return std::move(*rows);
}

Result<nlohmann::json> WmiClient::call_method(std::string_view wmi_namespace,
                                              std::string_view object_path,
                                              std::string_view method) {
  auto services = this->services(wmi_namespace);
  if (!services) return tl::unexpected(services.error());
  auto path = widen(object_path);
  auto name = widen(method);
  if (!path || !name || path->empty() || name->empty())
    return fail(ErrorCode::kInvalid, "WMI method call is not valid text");
  const std::string what = std::string(object_path) + "." + std::string(method);
  Bstr path_text(*path);
  Bstr method_text(*name);
  Released<IWbemClassObject> output;
  const HRESULT hr =
      (*services)->ExecMethod(path_text.s, method_text.s, 0, nullptr, nullptr, &output.p, nullptr);
  if (FAILED(hr)) return tl::unexpected(wmi_error(hr, what));
  if (output.p == nullptr) return nlohmann::json::object();
  return every_property(output.p);
}

}  // namespace triage::agent
