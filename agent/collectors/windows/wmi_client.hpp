#pragma once
// WMI for WinHost::wmi(): COM on the calling thread, one IWbemServices per namespace kept for
// the client's life, semisynchronous WQL queries with a timeout per batch, and each VARIANT as
// JSON by its CIM type. Windows only.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/collectors/windows_sources/win_host.hpp"
#include "shared/util/result.hpp"

struct IWbemServices;
struct IWbemLocator;

namespace triage::agent {

/// Most rows one query answers with; the rest are dropped (a class that big is a log, not a
/// state a source reads).
inline constexpr std::size_t kMaxWmiRows = 10000;

/// Asks WMI on the calling thread. Like WinHost, used from one thread at a time: the
/// connections belong to the thread that made them, and a call from another thread connects
/// anew.
class WmiClient {
 public:
  WmiClient() = default;
  ~WmiClient();
  WmiClient(const WmiClient&) = delete;
  WmiClient& operator=(const WmiClient&) = delete;

  /// `SELECT properties FROM wmi_class` in `wmi_namespace` (every non-system property when
  /// `properties` is empty): one object per instance with every asked property, null when the
  /// instance or the class lacks it. kNotFound for a missing namespace or class, kDenied when
  /// this account may not read it, kUnavailable when WMI does not answer in time.
  Result<std::vector<nlohmann::json>> query(std::string_view wmi_namespace,
                                            std::string_view wmi_class,
                                            const std::vector<std::string>& properties);

  /// Calls `method` of the instance at `object_path` (`Class.Key="value"`) in `wmi_namespace`
  /// with no input parameters; its output parameters as one object (ReturnValue included).
  Result<nlohmann::json> call_method(std::string_view wmi_namespace, std::string_view object_path,
                                     std::string_view method);

  /// Starts COM on the calling thread and loads WMI's client (the locator) without asking the
  /// WMI service anything, so it cannot wait on it. Queries call it themselves.
  Result<void> start();

 private:
  Result<IWbemServices*> services(std::string_view wmi_namespace);
  void release_all();

  std::thread::id thread_;
  IWbemLocator* locator_ = nullptr;
  std::map<std::string, IWbemServices*, CaseInsensitiveLess> services_;
};

}  // namespace triage::agent
