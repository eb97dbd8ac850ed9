#include "agent/service/windows/service_log_file.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include "agent/state/private_directory.hpp"
#include "shared/util/files.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::agent {

std::filesystem::path service_log_file(const std::filesystem::path& state_dir) {
  return state_dir / "logs" / "agent.log";
}

Result<void> log_to_service_file(const std::filesystem::path& state_dir) {
  // The state folder first, with its own ACL: logs name devices, users and orders.
  if (auto r = ensure_private_directory(state_dir); !r) return r;
  const auto file = service_log_file(state_dir);
  if (auto r = ensure_directory(file.parent_path()); !r) return r;
  try {
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        file.string(), kServiceLogFileBytes, kServiceLogFilesKept);
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %n: %v");
    auto logger = spdlog::default_logger();
    logger->sinks().push_back(std::move(sink));
    logger->flush_on(spdlog::level::info);
    // The subsystems' loggers (transport, ...) write to the same sinks as the default one.
    const auto level = spdlog::level::to_string_view(logger->level());
    attach_subsystem_logs(logger->sinks(), std::string(level.data(), level.size()));
  } catch (const spdlog::spdlog_ex& e) {
    return fail("log file " + file.string() + ": " + e.what());
  }
  return {};
}

}  // namespace triage::agent
