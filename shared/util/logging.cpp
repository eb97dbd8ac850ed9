#include "shared/util/logging.hpp"

#include <memory>
#include <string>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "shared/util/log_levels.hpp"

namespace triage {
namespace {

/// `%*`: the log message as a quoted, escaped JSON string, so any text is safe in JSON lines.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto text = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

std::string json_string(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<LogFormat> parse_log_format(std::string_view text) {
  if (text == "human") return LogFormat::kHuman;
  if (text == "json") return LogFormat::kJson;
  return fail("log format `" + std::string(text) + "`: expected `human` or `json`");
}

Result<void> check_log_level(std::string_view level) {
  if (spdlog::level::from_str(std::string(level)) == spdlog::level::off && level != "off") {
    return fail(ErrorCode::kInvalid, "log level `" + std::string(level) +
                                         "`: expected trace, debug, info, warn, error or off");
  }
  return {};
}

Result<void> setup_logging(std::string_view program, LogFormat format, std::string_view level,
                           const LogFile& file) {
  if (auto checked = check_log_level(level); !checked) return checked;
  spdlog::sink_ptr sink;
  if (file.path.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file.path, file.max_bytes,
                                                                    file.max_files);
    } catch (const spdlog::spdlog_ex& e) {
      return fail("log file " + file.path + ": " + e.what());
    }
  }
  if (format == LogFormat::kJson) {
    // One JSON object per line; the message goes through a JSON string encoder. `logger` is
    // the subsystem (log_levels.hpp), or the program for the rest.
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","program":)" + json_string(program) +
        R"(,"logger":"%n","msg":%*})");
    sink->set_formatter(std::move(formatter));
  } else {
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %n: %v");
  }
  auto logger = std::make_shared<spdlog::logger>(std::string(program), sink);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  attach_subsystem_logs({sink}, std::string(level));
  return {};
}

}  // namespace triage
