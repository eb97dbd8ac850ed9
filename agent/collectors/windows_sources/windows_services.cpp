// Source: the answer of win_api::kServices (EnumServicesStatusExW, QueryServiceConfigW,
// QueryServiceConfig2W), Win32 constants as numbers.
#include "agent/collectors/windows_sources/windows_services.hpp"

#include <array>
#include <string>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_api_names.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxServices = 2000;
constexpr std::size_t kMaxName = 256;

// SERVICE_STATUS.dwCurrentState.
constexpr std::uint64_t kStopped = 1, kStartPending = 2, kStopPending = 3, kRunning = 4,
                        kContinuePending = 5, kPausePending = 6, kPaused = 7;
// ERROR_SERVICE_SPECIFIC_ERROR: the real code is the service-specific one.
constexpr std::uint64_t kServiceSpecificError = 1066;
// ERROR_SERVICE_NEVER_STARTED: the state of a service not started since boot, not a failure.
constexpr std::uint64_t kNeverStarted = 1077;

// Automatic services that stop on their own once their work is done, without a trigger to say
// so: updaters and the maps and .NET optimization services. Stopped is their normal state.
constexpr std::array<std::string_view, 4> kStopsByDesign = {"edgeupdate", "gupdate", "MapsBroker",
                                                            "clr_optimization_"};

bool stops_by_design(std::string_view name) {
  for (auto prefix : kStopsByDesign) {
    if (starts_with_nocase(name, prefix) && (prefix.back() == '_' || name.size() == prefix.size()))
      return true;
  }
  return false;
}

v1::ServiceUnit::ActiveState active_state(std::uint64_t state) {
  switch (state) {
    case kStopped:
      return v1::ServiceUnit::INACTIVE;
    case kStartPending:
      return v1::ServiceUnit::ACTIVATING;
    case kStopPending:
      return v1::ServiceUnit::DEACTIVATING;
    case kRunning:
    case kContinuePending:
    case kPausePending:
    case kPaused:
      return v1::ServiceUnit::ACTIVE;
    default:
      return v1::ServiceUnit::ACTIVE_STATE_UNKNOWN;
  }
}

std::string sub_state(std::uint64_t state) {
  switch (state) {
    case kStopped:
      return "stopped";
    case kStartPending:
      return "start pending";
    case kStopPending:
      return "stop pending";
    case kRunning:
      return "running";
    case kContinuePending:
      return "continue pending";
    case kPausePending:
      return "pause pending";
    case kPaused:
      return "paused";
    default:
      return {};
  }
}

v1::ServiceUnit::StartType start_type(std::optional<std::uint64_t> type, bool delayed) {
  if (!type) return v1::ServiceUnit::START_UNKNOWN;
  switch (*type) {
    case 0:
      return v1::ServiceUnit::BOOT;
    case 1:
      return v1::ServiceUnit::SYSTEM;
    case 2:
      return delayed ? v1::ServiceUnit::AUTO_DELAYED : v1::ServiceUnit::AUTO;
    case 3:
      return v1::ServiceUnit::MANUAL;
    case 4:
      return v1::ServiceUnit::DISABLED;
    default:
      return v1::ServiceUnit::START_UNKNOWN;
  }
}

}  // namespace

Result<void> collect_windows_services(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto answer = win->api(win_api::kServices);
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      ctx.unavailable("services: " + answer.error().message);
      return {};
    }
    return fail("listing services", answer.error());
  }
  auto list = answer->is_object() ? answer->find("services") : answer->end();
  if (!answer->is_object() || list == answer->end() || !list->is_array())
    return fail("the services answer has no list of services");

  auto* svc = out.mutable_software()->mutable_services();
  svc->set_manager("Service Control Manager");
  std::uint32_t stopped_auto = 0, failed = 0;
  for (const auto& item : *list) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (static_cast<std::size_t>(svc->units_size()) == kMaxServices) {
      ctx.note("service list capped at " + std::to_string(kMaxServices));
      break;
    }
    auto name = clean_text(trim(json_text(item, "name")), kMaxName);
    if (name.empty()) continue;
    const auto state = json_uint(item, "current_state").value_or(0);
    auto* u = svc->add_units();
    u->set_active_state(active_state(state));
    u->set_sub_state(sub_state(state));
    u->set_description(clean_text(trim(json_text(item, "display_name")), kMaxName));
    u->set_start_type(start_type(json_uint(item, "start_type"),
                                 json_bool(item, "delayed_auto_start").value_or(false)));
    u->set_trigger_start(json_bool(item, "trigger_start").value_or(false));
    auto exit_code = json_uint(item, "win32_exit_code").value_or(0);
    if (exit_code == kServiceSpecificError)
      exit_code = json_uint(item, "service_specific_exit_code").value_or(exit_code);
    u->set_exit_code(static_cast<std::uint32_t>(exit_code));

    const bool automatic = u->start_type() == v1::ServiceUnit::AUTO ||
                           u->start_type() == v1::ServiceUnit::AUTO_DELAYED;
    const bool running = state == kRunning || state == kStartPending || state == kContinuePending;
    if (automatic && !u->trigger_start() && !running && !stops_by_design(name)) {
      ++stopped_auto;
      if (u->exit_code() != 0 && u->exit_code() != kNeverStarted) ++failed;
    }
    u->set_name(std::move(name));
  }
  svc->set_stopped_auto_start(stopped_auto);
  svc->set_failed_count(failed);
  if (json_bool(*answer, "truncated").value_or(false))
    ctx.note("the Service Control Manager's list was cut short");
  return {};
}

}  // namespace triage::agent
