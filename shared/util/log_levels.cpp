#include "shared/util/log_levels.hpp"

#include <memory>
#include <mutex>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "shared/util/logging.hpp"

namespace triage {

namespace {

using Loggers = std::array<std::shared_ptr<spdlog::logger>, kSubsystemNames.size()>;

// Made at first use with spdlog's usual stderr output, so a subsystem logs even in a program
// (or test) that never calls setup_logging(). Never resized: references stay valid.
Loggers& loggers() {
  static Loggers all = [] {
    Loggers made;
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    for (std::size_t i = 0; i < made.size(); ++i) {
      made[i] = std::make_shared<spdlog::logger>(std::string(kSubsystemNames[i]), sink);
      made[i]->set_level(spdlog::level::info);
      made[i]->flush_on(spdlog::level::warn);
    }
    return made;
  }();
  return all;
}

struct Applied {
  std::mutex mutex;
  LogLevels levels;
};

Applied& applied() {
  static Applied state;
  return state;
}

spdlog::level::level_enum level_of(const std::string& name) {
  return spdlog::level::from_str(name);
}

// As configuration spells it: spdlog says "warning" for what it reads as "warn".
std::string name_of(spdlog::level::level_enum level) {
  if (level == spdlog::level::warn) return "warn";
  auto name = spdlog::level::to_string_view(level);
  return std::string(name.data(), name.size());
}

}  // namespace

std::optional<Subsystem> parse_subsystem(std::string_view name) {
  for (std::size_t i = 0; i < kSubsystemNames.size(); ++i) {
    if (kSubsystemNames[i] == name) return static_cast<Subsystem>(i);
  }
  return std::nullopt;
}

spdlog::logger& subsystem_log(Subsystem subsystem) {
  return *loggers()[static_cast<std::size_t>(subsystem)];
}

Result<void> check_log_levels(const LogLevels& levels) {
  if (auto r = check_log_level(levels.level); !r) return r;
  for (const auto& [name, level] : levels.subsystems) {
    if (!parse_subsystem(name)) {
      std::string known;
      for (auto n : kSubsystemNames) known += (known.empty() ? "" : ", ") + std::string(n);
      return fail(ErrorCode::kInvalid,
                  "log subsystem `" + name + "` is not one of the collector's (" + known + ")");
    }
    if (auto r = check_log_level(level); !r) {
      return fail(ErrorCode::kInvalid, "subsystem " + name + ": " + r.error().message);
    }
  }
  return {};
}

Result<void> apply_log_levels(const LogLevels& levels) {
  if (auto r = check_log_levels(levels); !r) return r;
  auto& state = applied();
  std::lock_guard lock(state.mutex);
  spdlog::default_logger_raw()->set_level(level_of(levels.level));
  auto& all = loggers();
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto it = levels.subsystems.find(std::string(kSubsystemNames[i]));
    all[i]->set_level(level_of(it == levels.subsystems.end() ? levels.level : it->second));
  }
  state.levels = levels;
  return {};
}

LogLevels current_log_levels() {
  auto& state = applied();
  std::lock_guard lock(state.mutex);
  return state.levels;
}

std::map<std::string, std::string> effective_log_levels() {
  std::map<std::string, std::string> out;
  auto& all = loggers();
  for (std::size_t i = 0; i < all.size(); ++i) {
    out[std::string(kSubsystemNames[i])] = name_of(all[i]->level());
  }
  return out;
}

void attach_subsystem_logs(const std::vector<spdlog::sink_ptr>& sinks, const std::string& level) {
  auto& state = applied();
  std::lock_guard lock(state.mutex);
  for (auto& logger : loggers()) {
    logger->sinks() = sinks;
    logger->set_level(level_of(level));
  }
  state.levels = LogLevels{level, {}};
}

}  // namespace triage
