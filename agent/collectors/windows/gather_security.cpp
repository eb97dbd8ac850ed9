// The security gatherers: Windows Defender Firewall's current profiles from INetFwPolicy2 (COM,
// in-process; the object asks the firewall service over local RPC). Any user; milliseconds.
#include "agent/collectors/windows/gather_security.hpp"

#include <windows.h>
//
#include <netfw.h>
#include <objbase.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace triage::agent {
namespace {

// A hung firewall service must not hold the collecting thread.
constexpr auto kTimeout = std::chrono::seconds(5);

// {E2B3C97F-6AE1-41AC-817A-F6F92166D7DD}, {98325047-C671-4174-8D81-DEFCD3F03186}: spelled out
// so the agent needs no uuid library.
constexpr GUID kClsidNetFwPolicy2 = {
    0xE2B3C97F, 0x6AE1, 0x41AC, {0x81, 0x7A, 0xF6, 0xF9, 0x21, 0x66, 0xD7, 0xDD}};
constexpr GUID kIidNetFwPolicy2 = {
    0x98325047, 0xC671, 0x4174, {0x8D, 0x81, 0xDE, 0xFC, 0xD3, 0xF0, 0x31, 0x86}};

std::string hresult_text(HRESULT hr) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08lx", static_cast<unsigned long>(hr));
  return buffer;
}

/// Runs on its own thread, in its own multithreaded apartment.
Result<nlohmann::json> query_current_profiles() {
  HRESULT hr = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
  if (FAILED(hr)) return fail("COM did not start: " + hresult_text(hr));
  Result<nlohmann::json> answer = fail("no answer");
  INetFwPolicy2* policy = nullptr;
  hr = CoCreateInstance(kClsidNetFwPolicy2, nullptr, CLSCTX_INPROC_SERVER, kIidNetFwPolicy2,
                        reinterpret_cast<void**>(&policy));
  if (FAILED(hr) || policy == nullptr) {
    answer = fail(
        ErrorCode::kNotFound,
        "the firewall's policy object (HNetCfg.FwPolicy2) is not available: " + hresult_text(hr));
  } else {
    long types = 0;
    hr = policy->get_CurrentProfileTypes(&types);
    if (FAILED(hr)) {
      answer = fail("INetFwPolicy2::get_CurrentProfileTypes failed: " + hresult_text(hr));
    } else {
      answer = nlohmann::json{{"current_profile_types", static_cast<std::uint32_t>(types)}};
    }
    policy->Release();
  }
  CoUninitialize();
  return answer;
}

}  // namespace

Result<nlohmann::json> gather_firewall() {
  struct Shared {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    Result<nlohmann::json> answer = fail("no answer");
  };
  auto shared = std::make_shared<Shared>();
  try {
    std::thread([shared] {
      Result<nlohmann::json> answer = fail("the firewall query failed");
      try {
        answer = query_current_profiles();
      } catch (const std::exception& e) {
        answer = fail(std::string("the firewall query failed: ") + e.what());
      }
      std::lock_guard lock(shared->mutex);
      shared->answer = std::move(answer);
      shared->done = true;
      shared->done_cv.notify_one();
    }).detach();
  } catch (const std::exception& e) {
    return fail(std::string("no thread for the firewall query: ") + e.what());
  }
  std::unique_lock lock(shared->mutex);
  // The thread keeps `shared` alive if it outlives us.
  if (!shared->done_cv.wait_for(lock, kTimeout, [&] { return shared->done; })) {
    return fail(ErrorCode::kUnavailable, "the firewall service did not answer within 5 s");
  }
  return shared->answer;
}

}  // namespace triage::agent
