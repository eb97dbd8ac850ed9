// `triage-agent.exe restart-service --name NAME` and `service-running --name NAME`: the
// restart-windows-service action and its post-check, through the Service Control Manager.
// The name and the deny lists are checked here as well as before the order runs
// (order_content.cpp), so the command is as strict when an administrator runs it by hand.
#include "agent/actions/windows_action_commands.hpp"

#include "agent/actions/windows/service_manager.hpp"
#include "agent/actions/windows_service_guard.hpp"

namespace triage::agent {

namespace {

bool is_domain_controller() {
  OSVERSIONINFOEXW wanted{};
  wanted.dwOSVersionInfoSize = sizeof wanted;
  wanted.wProductType = VER_NT_DOMAIN_CONTROLLER;
  const DWORDLONG condition = ::VerSetConditionMask(0, VER_PRODUCT_TYPE, VER_EQUAL);
  return ::VerifyVersionInfoW(&wanted, VER_PRODUCT_TYPE, condition) != FALSE;
}

int report_open_error(const char* command, const Error& error, std::ostream& err) {
  err << command << ": " << error.message << "\n";
  return 2;
}

}  // namespace

int run_restart_windows_service(const std::string& name, std::ostream& out, std::ostream& err,
                                std::chrono::milliseconds wait) {
  if (auto ok = check_restartable_windows_service(name); !ok) {
    err << ok.error().message << "\n";
    return 2;
  }
  if (is_domain_controller()) {
    if (auto ok = check_restartable_on_domain_controller(name); !ok) {
      err << ok.error().message << "\n";
      return 2;
    }
  }
  auto opened = open_windows_service(
      name, SERVICE_QUERY_CONFIG | SERVICE_ENUMERATE_DEPENDENTS | SERVICE_STOP | SERVICE_START);
  if (!opened) return report_open_error("restart-service", opened.error(), err);
  auto facts = read_service_facts(*opened);
  if (!facts) return report_open_error("restart-service", facts.error(), err);
  auto plan = plan_service_restart(name, *facts);
  if (!plan) {
    err << plan.error().message << "\n";
    return 2;
  }
  SC_HANDLE service = opened->service.get();
  const auto started_at = std::chrono::steady_clock::now();
  if (*plan == RestartPlan::kStopThenStart) {
    out << "stopping " << name << " (" << win_service_state_name(facts->state) << ")\n";
    if (auto stopped = stop_and_wait(service, wait); !stopped) {
      err << "restart-service: " << name << ": " << stopped.error().message << "\n";
      return 1;
    }
  } else {
    out << name << " is stopped after a failure (exit code " << facts->win32_exit_code;
    if (facts->service_exit_code != 0) out << ", service code " << facts->service_exit_code;
    out << "); starting it\n";
  }
  if (auto running = start_and_wait(service, wait); !running) {
    err << "restart-service: " << name << ": " << running.error().message << "\n";
    return 1;
  }
  DWORD pid = 0;
  service_state(service, &pid);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_at);
  out << name << " is running (process " << pid << "), " << took.count() << " ms\n";
  return 0;
}

int run_windows_service_running(const std::string& name, std::ostream& out, std::ostream& err,
                                std::chrono::milliseconds wait) {
  auto opened = open_windows_service(name, 0);
  if (!opened) return report_open_error("service-running", opened.error(), err);
  auto state = wait_while(opened->service.get(), WinServiceState::kStartPending, wait);
  if (!state) {
    err << "service-running: " << name << ": the Service Control Manager gives no state\n";
    return 2;
  }
  out << name << " is " << win_service_state_name(*state) << "\n";
  return *state == WinServiceState::kRunning ? 0 : 1;
}

}  // namespace triage::agent
