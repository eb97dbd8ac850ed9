// win_api::kWindowsUpdate: the Windows Update Agent (COM, wuapi): IUpdateSession ->
// IUpdateSearcher, an asynchronous search for "IsInstalled=0 and IsHidden=0 and
// Type='Software'" that is abandoned (RequestAbort) at a deadline, a second search of Windows'
// last scan (Online = false) when the online one fails, and QueryHistory for the newest
// successful installation. The search runs in the Windows Update service; this thread only
// waits, pumping messages in case COM put it in a single-threaded apartment. Windows only.
#include "shared/util/windows/windows_api.hpp"

#include <oleauto.h>
#include <wuapi.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include "agent/collectors/windows/gather_software.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent {
namespace {

using Clock = std::chrono::steady_clock;

// Past the windows_updates source's 60 s wall budget, so a search this slow counts as over
// budget and the source cools down instead of searching again at every snapshot.
constexpr auto kSearchDeadline = std::chrono::seconds(62);
constexpr LONG kMaxUpdates = 1000;
constexpr LONG kMaxHistory = 200;
constexpr LONG kMaxCategories = 16;
// Days from 1899-12-30 (the OLE automation epoch) to 1970-01-01.
constexpr double kOleToUnixDays = 25569.0;
// CLSID_UpdateSession, spelled here so the agent does not link wuguid.
constexpr CLSID kClsidUpdateSession = {
    0x4cb43d7f, 0x7eee, 0x4906, {0x86, 0x98, 0x60, 0xda, 0x1c, 0x38, 0xf2, 0xfe}};

/// Owns one COM interface pointer.
template <class T>
class Com {
 public:
  Com() = default;
  Com(Com&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  Com& operator=(Com&& other) noexcept {
    if (this != &other) {
      if (p_) p_->Release();
      p_ = std::exchange(other.p_, nullptr);
    }
    return *this;
  }
  Com(const Com&) = delete;
  Com& operator=(const Com&) = delete;
  ~Com() {
    if (p_) p_->Release();
  }
  T* operator->() const { return p_; }
  T* get() const { return p_; }
  T** put() { return &p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

/// Owns a BSTR.
class Bstr {
 public:
  Bstr() = default;
  explicit Bstr(const wchar_t* text) : b_(::SysAllocString(text)) {}
  Bstr(const Bstr&) = delete;
  Bstr& operator=(const Bstr&) = delete;
  ~Bstr() { ::SysFreeString(b_); }
  BSTR get() const { return b_; }
  BSTR* put() { return &b_; }
  std::string utf8() const { return b_ ? narrow(std::wstring_view(b_, ::SysStringLen(b_))) : ""; }

 private:
  BSTR b_ = nullptr;
};

std::string hresult_text(HRESULT hr) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08lx", static_cast<unsigned long>(hr));
  return hex;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t ole_date_to_unix_ms(DATE date) {
  return static_cast<std::int64_t>((date - kOleToUnixDays) * 86400000.0);
}

/// ISearchCompletedCallback (not in MinGW's wuapi.h): signals an event when the search ends.
struct ISearchCompletedCallbackLocal : public IUnknown {
  virtual HRESULT STDMETHODCALLTYPE Invoke(ISearchJob* job, IUnknown* args) = 0;
};
constexpr IID kIidSearchCompletedCallback = {
    0x88aee058, 0xd4b0, 0x4725, {0xa2, 0xf1, 0x81, 0x4a, 0x67, 0xae, 0x96, 0x4c}};

class SearchCompleted final : public ISearchCompletedCallbackLocal {
 public:
  explicit SearchCompleted(HANDLE done) : done_(done) {}
  HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void** out) override {
    if (out == nullptr) return E_POINTER;
    if (::IsEqualIID(riid, __uuidof(IUnknown)) || ::IsEqualIID(riid, kIidSearchCompletedCallback)) {
      *out = static_cast<ISearchCompletedCallbackLocal*>(this);
      AddRef();
      return S_OK;
    }
    *out = nullptr;
    return E_NOINTERFACE;
  }
  ULONG STDMETHODCALLTYPE AddRef() override { return ::InterlockedIncrement(&refs_); }
  ULONG STDMETHODCALLTYPE Release() override {
    // Owned by the gatherer's stack frame, which outlives the search job (CleanUp first).
    return ::InterlockedDecrement(&refs_);
  }
  HRESULT STDMETHODCALLTYPE Invoke(ISearchJob*, IUnknown*) override {
    ::SetEvent(done_);
    return S_OK;
  }

 private:
  HANDLE done_;
  LONG refs_ = 1;
};

/// Waits for `job` until it completes or `deadline` passes, dispatching window messages
/// meanwhile (a single-threaded apartment receives the completion as one).
bool wait_for(ISearchJob* job, HANDLE done, Clock::time_point deadline) {
  while (true) {
    VARIANT_BOOL completed = VARIANT_FALSE;
    if (SUCCEEDED(job->get_IsCompleted(&completed)) && completed == VARIANT_TRUE) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    const DWORD wait = static_cast<DWORD>(std::min<long long>(left.count(), 250));
    ::MsgWaitForMultipleObjectsEx(1, &done, wait, QS_ALLINPUT, MWMO_INPUTAVAILABLE);
    MSG msg;
    while (::PeekMessageW(&msg, nullptr, 0, 0, PM_REMOVE)) {
      ::TranslateMessage(&msg);
      ::DispatchMessageW(&msg);
    }
  }
}

/// One search; the error names the HRESULT.
Result<Com<ISearchResult>> search(IUpdateSearcher* searcher, Clock::time_point deadline) {
  UniqueHandle done(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!done.valid()) return fail(last_error_text("CreateEventW"));
  SearchCompleted callback(done.get());
  Bstr criteria(L"IsInstalled=0 and IsHidden=0 and Type='Software'");
  VARIANT state;
  ::VariantInit(&state);
  Com<ISearchJob> job;
  HRESULT hr = searcher->BeginSearch(criteria.get(), &callback, state, job.put());
  // Wine's Windows Update Agent is a stub.
  if (hr == E_NOTIMPL) return fail(ErrorCode::kNotFound, "this Windows Update Agent cannot search");
  if (FAILED(hr) || !job) return fail("IUpdateSearcher::BeginSearch: " + hresult_text(hr));
  if (!wait_for(job.get(), done.get(), deadline)) {
    job->RequestAbort();
    job->CleanUp();
    return fail(ErrorCode::kUnavailable, "the Windows Update search did not finish within " +
                                             std::to_string(kSearchDeadline.count()) + " s");
  }
  Com<ISearchResult> result;
  hr = searcher->EndSearch(job.get(), result.put());
  job->CleanUp();
  if (FAILED(hr)) return fail("IUpdateSearcher::EndSearch: " + hresult_text(hr));
  OperationResultCode code = orcNotStarted;
  result->get_ResultCode(&code);
  if (code != orcSucceeded && code != orcSucceededWithErrors)
    return fail("the Windows Update search ended with result code " + std::to_string(code));
  return result;
}

nlohmann::json strings_of(IStringCollection* strings) {
  nlohmann::json out = nlohmann::json::array();
  LONG count = 0;
  if (!strings || FAILED(strings->get_Count(&count))) return out;
  for (LONG i = 0; i < count && i < kMaxCategories; ++i) {
    Bstr s;
    if (SUCCEEDED(strings->get_Item(i, s.put()))) out.push_back(s.utf8());
  }
  return out;
}

nlohmann::json update_json(IUpdate* update) {
  nlohmann::json u = nlohmann::json::object();
  Bstr title, severity;
  if (SUCCEEDED(update->get_Title(title.put()))) u["title"] = title.utf8();
  Com<IStringCollection> kbs;
  if (SUCCEEDED(update->get_KBArticleIDs(kbs.put()))) u["kb"] = strings_of(kbs.get());
  if (SUCCEEDED(update->get_MsrcSeverity(severity.put()))) u["severity"] = severity.utf8();
  nlohmann::json categories = nlohmann::json::array();
  Com<ICategoryCollection> list;
  LONG count = 0;
  if (SUCCEEDED(update->get_Categories(list.put())) && list && SUCCEEDED(list->get_Count(&count))) {
    for (LONG i = 0; i < count && i < kMaxCategories; ++i) {
      Com<ICategory> category;
      Bstr name;
      if (SUCCEEDED(list->get_Item(i, category.put())) && category &&
          SUCCEEDED(category->get_Name(name.put()))) {
        categories.push_back(name.utf8());
      }
    }
  }
  u["categories"] = std::move(categories);
  DECIMAL size{};
  if (SUCCEEDED(update->get_MaxDownloadSize(&size)) && size.scale == 0 && size.sign == 0 &&
      size.Hi32 == 0) {
    u["size_bytes"] = static_cast<std::uint64_t>(size.Lo64);
  }
  return u;
}

/// The newest successful installation in the history, 0 when none.
Result<std::int64_t> last_install(IUpdateSearcher* searcher) {
  LONG total = 0;
  HRESULT hr = searcher->GetTotalHistoryCount(&total);
  if (FAILED(hr)) return fail("GetTotalHistoryCount: " + hresult_text(hr));
  if (total <= 0) return 0;
  Com<IUpdateHistoryEntryCollection> entries;
  // Newest first: the first few hundred hold the last installation.
  hr = searcher->QueryHistory(0, std::min(total, kMaxHistory), entries.put());
  if (FAILED(hr) || !entries) return fail("QueryHistory: " + hresult_text(hr));
  LONG count = 0;
  entries->get_Count(&count);
  std::int64_t newest = 0;
  for (LONG i = 0; i < count; ++i) {
    Com<IUpdateHistoryEntry> entry;
    if (FAILED(entries->get_Item(i, entry.put())) || !entry) continue;
    UpdateOperation operation = uoInstallation;
    OperationResultCode code = orcNotStarted;
    DATE date = 0;
    if (FAILED(entry->get_Operation(&operation)) || operation != uoInstallation) continue;
    if (FAILED(entry->get_ResultCode(&code)) ||
        (code != orcSucceeded && code != orcSucceededWithErrors)) {
      continue;
    }
    if (SUCCEEDED(entry->get_Date(&date))) newest = std::max(newest, ole_date_to_unix_ms(date));
  }
  return newest;
}

/// COM for this thread, undone at the end when this call started it.
class ComScope {
 public:
  ComScope() : hr_(::CoInitializeEx(nullptr, COINIT_MULTITHREADED)) {}
  ComScope(const ComScope&) = delete;
  ComScope& operator=(const ComScope&) = delete;
  ~ComScope() {
    if (SUCCEEDED(hr_)) ::CoUninitialize();
  }
  // RPC_E_CHANGED_MODE: the thread is a single-threaded apartment already; COM works.
  bool usable() const { return SUCCEEDED(hr_) || hr_ == RPC_E_CHANGED_MODE; }
  HRESULT result() const { return hr_; }

 private:
  HRESULT hr_;
};

Result<nlohmann::json> gather() {
  const auto deadline = Clock::now() + kSearchDeadline;
  ComScope com;
  if (!com.usable()) return fail("CoInitializeEx: " + hresult_text(com.result()));
  Com<IUpdateSession> session;
  HRESULT hr =
      ::CoCreateInstance(kClsidUpdateSession, nullptr, CLSCTX_INPROC_SERVER,
                         __uuidof(IUpdateSession), reinterpret_cast<void**>(session.put()));
  if (hr == REGDB_E_CLASSNOTREG) return fail(ErrorCode::kNotFound, "no Windows Update Agent");
  if (FAILED(hr)) return fail("creating the Windows Update session: " + hresult_text(hr));
  Bstr client(L"triage agent");
  session->put_ClientApplicationID(client.get());
  Com<IUpdateSearcher> searcher;
  hr = session->CreateUpdateSearcher(searcher.put());
  if (FAILED(hr) || !searcher) return fail("CreateUpdateSearcher: " + hresult_text(hr));

  nlohmann::json answer = nlohmann::json::object();
  answer["online"] = true;
  auto found = search(searcher.get(), deadline);
  if (!found && found.error().code == ErrorCode::kFailed) {
    // Offline, or the update server refused: Windows' last scan still says what is missing.
    answer["online"] = false;
    answer["online_error"] = found.error().message;
    searcher->put_Online(VARIANT_FALSE);
    found = search(searcher.get(), deadline);
  }
  if (!found) return tl::unexpected(found.error());
  answer["searched_unix_ms"] = unix_ms_now();

  nlohmann::json updates = nlohmann::json::array();
  Com<IUpdateCollection> list;
  LONG count = 0;
  if (SUCCEEDED((*found)->get_Updates(list.put())) && list && SUCCEEDED(list->get_Count(&count))) {
    for (LONG i = 0; i < count && i < kMaxUpdates; ++i) {
      Com<IUpdate> update;
      if (SUCCEEDED(list->get_Item(i, update.put())) && update)
        updates.push_back(update_json(update.get()));
    }
  }
  answer["updates"] = std::move(updates);
  if (auto installed = last_install(searcher.get())) {
    if (*installed > 0) answer["last_install_unix_ms"] = *installed;
  } else {
    answer["history_error"] = installed.error().message;
  }
  return answer;
}

}  // namespace

Result<nlohmann::json> gather_windows_update() {
  try {
    return gather();
  } catch (const std::exception& e) {
    return fail(std::string("Windows Update: ") + e.what());
  }
}

}  // namespace triage::agent
