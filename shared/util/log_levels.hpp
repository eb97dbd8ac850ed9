#pragma once
// Named loggers per subsystem, each with a level of its own that can change while the process
// runs (the collector's `[log.levels]`, SIGHUP and admin API). A subsystem writes through
// `logs::ingest().debug(...)` where other code writes `spdlog::debug(...)`; both go to the
// output setup_logging() chose.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/sink.h>

#include "shared/util/result.hpp"

namespace triage {

enum class Subsystem {
  kIngest,        ///< agent sessions, the ingest writer, materialized device state
  kOrders,        ///< orders, custom actions, probes
  kTransport,     ///< TLS, HTTP and WebSocket connections
  kApi,           ///< REST handlers and the router
  kStorage,       ///< the database: WAL checkpoints, retention
  kCluster,       ///< nodes sharing PostgreSQL: leases, presence, relayed messages
  kIntegrations,  ///< webhooks, Request Tracker, the outbox
};

/// The subsystems' names as configuration and the admin API spell them, in enum order.
inline constexpr std::array<std::string_view, 7> kSubsystemNames = {
    "ingest", "orders", "transport", "api", "storage", "cluster", "integrations"};

/// The subsystem called `name`, or nullopt.
std::optional<Subsystem> parse_subsystem(std::string_view name);

/// The logger of one subsystem (named as kSubsystemNames says). Valid for the process's life.
spdlog::logger& subsystem_log(Subsystem subsystem);

/// Levels of the whole process: `level` for the program's own logger and every subsystem
/// without a level in `subsystems` (subsystem name -> level name).
struct LogLevels {
  std::string level = "info";
  std::map<std::string, std::string> subsystems;
};

/// Fails, naming the first mistake, for an unknown subsystem or level name.
Result<void> check_log_levels(const LogLevels& levels);

/// Sets every logger's level from `levels` (after check_log_levels()); any thread, while
/// others log. Remembers `levels` for current_log_levels().
Result<void> apply_log_levels(const LogLevels& levels);

/// The levels last applied (or set by setup_logging()): `subsystems` holds only those set
/// apart from `level`.
LogLevels current_log_levels();

/// Each subsystem's level in effect now, by name, every subsystem listed.
std::map<std::string, std::string> effective_log_levels();

/// For setup_logging(): points every subsystem logger at `sinks` and sets all levels to
/// `level`, forgetting any set apart. Not while other threads log.
void attach_subsystem_logs(const std::vector<spdlog::sink_ptr>& sinks, const std::string& level);

namespace logs {
inline spdlog::logger& ingest() { return subsystem_log(Subsystem::kIngest); }
inline spdlog::logger& orders() { return subsystem_log(Subsystem::kOrders); }
inline spdlog::logger& transport() { return subsystem_log(Subsystem::kTransport); }
inline spdlog::logger& api() { return subsystem_log(Subsystem::kApi); }
inline spdlog::logger& storage() { return subsystem_log(Subsystem::kStorage); }
inline spdlog::logger& cluster() { return subsystem_log(Subsystem::kCluster); }
inline spdlog::logger& integrations() { return subsystem_log(Subsystem::kIntegrations); }
}  // namespace logs

}  // namespace triage
