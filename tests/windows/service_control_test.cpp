// The agent as a Windows service: registered, started and stopped through the Service Control
// Manager, and the stop requests of service_control.hpp.
#include "shared/util/windows/windows_api.hpp"

#include <fstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "agent/service/service_control.hpp"
#include "agent/service/windows/stop_broadcast.hpp"
#include "agent/service/windows/windows_service.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ta = triage::agent;

namespace {

struct ScHandleCloser {
  void operator()(SC_HANDLE h) const {
    if (h != nullptr) ::CloseServiceHandle(h);
  }
};
using ScHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ScHandleCloser>;

DWORD service_state(SC_HANDLE service) {
  SERVICE_STATUS status{};
  return ::QueryServiceStatus(service, &status) ? status.dwCurrentState : 0;
}

std::wstring unique_service_name(const wchar_t* what) {
  return std::wstring(L"triage-test-") + what + L"-" + std::to_wstring(::GetCurrentProcessId()) +
         L"-" + std::to_wstring(::GetTickCount64());
}

/// Removes the test's service however the test ends.
struct Uninstall {
  std::wstring name;
  ~Uninstall() { (void)ta::uninstall_service(name); }
};

}  // namespace

TEST_CASE(
    "Windows service: the Service Control Manager starts the agent and its stop request "
    "reaches the daemon") {
  triage::testing::WindowsTempDir temp;
  const auto marker = temp.path() / L"stopped-because.txt";
  ta::ServiceInstallOptions options;
  options.name = unique_service_name(L"run");
  options.display_name = options.name;
  options.executable = triage::testing::test_child();
  options.arguments = {"service-body", triage::narrow(marker.wstring())};
  options.start_at_boot = false;
  auto installed = ta::install_service(options);
  INFO((installed ? std::string("installed") : installed.error().message));
  REQUIRE(installed);
  Uninstall uninstall{options.name};

  ScHandle manager(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  REQUIRE(manager);
  ScHandle service(
      ::OpenServiceW(manager.get(), options.name.c_str(),
                     SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG));
  INFO("OpenServiceW: " << triage::windows_error_text(::GetLastError()));
  REQUIRE(service);
  const bool started = ::StartServiceW(service.get(), 0, nullptr);
  INFO("StartServiceW: " << triage::windows_error_text(::GetLastError()));
  REQUIRE(started);
  CHECK(
      triage::testing::poll_until([&] { return service_state(service.get()) == SERVICE_RUNNING; }));
  SERVICE_STATUS status{};
  REQUIRE(::ControlService(service.get(), SERVICE_CONTROL_STOP, &status));
  CHECK(
      triage::testing::poll_until([&] { return service_state(service.get()) == SERVICE_STOPPED; }));
  std::string why;
  std::getline(std::ifstream(marker), why);
  CHECK(why == "service stop");
  service.reset();

  REQUIRE(ta::uninstall_service(options.name));
  ScHandle gone(::OpenServiceW(manager.get(), options.name.c_str(), SERVICE_QUERY_STATUS));
  CHECK_FALSE(gone);
  CHECK(::GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST);
  auto again = ta::uninstall_service(options.name);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == triage::ErrorCode::kNotFound);
}

TEST_CASE("Windows service: install quotes the program path and sets the pre-shutdown time") {
  ta::ServiceInstallOptions options;
  options.name = unique_service_name(L"quote");
  options.display_name = options.name;
  options.executable = L"C:\\Program Files\\triage\\triage-agent.exe";
  options.preshutdown_timeout = std::chrono::seconds(42);
  options.start_at_boot = false;
  auto installed = ta::install_service(options);
  INFO((installed ? std::string("installed") : installed.error().message));
  REQUIRE(installed);
  Uninstall uninstall{options.name};
  ScHandle manager(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  ScHandle service(::OpenServiceW(manager.get(), options.name.c_str(), SERVICE_QUERY_CONFIG));
  INFO("OpenServiceW: " << triage::windows_error_text(::GetLastError()));
  REQUIRE(service);
  DWORD needed = 0;
  ::QueryServiceConfigW(service.get(), nullptr, 0, &needed);
  std::vector<unsigned char> buffer(needed);
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
  REQUIRE(::QueryServiceConfigW(service.get(), config, needed, &needed));
  CHECK(std::wstring(config->lpBinaryPathName) ==
        L"\"C:\\Program Files\\triage\\triage-agent.exe\" run");
  CHECK(config->dwServiceType == SERVICE_WIN32_OWN_PROCESS);
  CHECK(std::wstring(config->lpServiceStartName ? config->lpServiceStartName : L"") ==
        L"LocalSystem");
  SERVICE_PRESHUTDOWN_INFO preshutdown{};
  if (::QueryServiceConfig2W(service.get(), SERVICE_CONFIG_PRESHUTDOWN_INFO,
                             reinterpret_cast<BYTE*>(&preshutdown), sizeof preshutdown, &needed)) {
    CHECK(preshutdown.dwPreshutdownTimeout == 42'000);
  } else {
    WARN("QueryServiceConfig2W(PRESHUTDOWN_INFO) is not available here");
  }
  service.reset();
  REQUIRE(ta::uninstall_service(options.name));
}

TEST_CASE(
    "Windows service: a stop request reaches the daemon's io_context, once, even one made "
    "before it listened") {
  boost::asio::io_context ioc;
  auto work = boost::asio::make_work_guard(ioc);
  std::vector<std::string> seen;
  auto stop = ta::watch_stop_requests(ioc, [&](const std::string& why) {
    seen.push_back(why);
    ioc.stop();
  });
  std::thread requester([] {
    ta::broadcast_stop_request("service stop");
    ta::broadcast_stop_request("system shutdown");
  });
  ioc.run();
  requester.join();
  ioc.restart();
  ioc.poll();
  CHECK(seen == std::vector<std::string>{"service stop"});

  // A daemon that starts listening after the request still stops.
  boost::asio::io_context late;
  std::string late_why;
  auto late_stop = ta::watch_stop_requests(late, [&](const std::string& why) { late_why = why; });
  late.poll();
  CHECK(late_why == "service stop");
}
