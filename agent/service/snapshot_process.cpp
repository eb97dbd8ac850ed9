#include "agent/service/snapshot_process.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "agent/collectors/proxy_variables.hpp"
#include "agent/collectors/snapshot_taker.hpp"
#include "shared/util/process_runner.hpp"
#include "shared/util/standard_output.hpp"

namespace triage::agent {
namespace {

std::int64_t unix_ms(CooldownTracker::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

v1::Snapshot failed_snapshot(const std::string& why) {
  v1::Snapshot snapshot;
  snapshot.set_schema_version(kSnapshotSchemaVersion);
  snapshot.set_collected_at_unix_ms(unix_ms(CooldownTracker::Clock::now()));
  auto* status = snapshot.add_collectors();
  status->set_name(std::string(kSnapshotProcessStatus));
  status->set_category("agent");
  status->set_outcome(v1::CollectorStatus::FAILED);
  status->set_message("snapshot process: " + why);
  return snapshot;
}

/// The child's log lines ("LEVEL message", see run_snapshot_helper) into the daemon's log.
void relay_log(std::string_view text) {
  while (!text.empty()) {
    auto end = std::min(text.find('\n'), text.size());
    auto line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    auto space = line.find(' ');
    auto level = space == std::string_view::npos
                     ? spdlog::level::off
                     : spdlog::level::from_str(std::string(line.substr(0, space)));
    if (level == spdlog::level::off) {
      level = spdlog::level::warn;  // not a log line: a crash message, say
    } else {
      line.remove_prefix(space + 1);
    }
    if (!line.empty()) spdlog::log(level, "snapshot process: {}", line);
  }
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<std::string> snapshot_helper_args(const SnapshotOptions& options) {
  std::vector<std::string> args = {"--sysroot", options.sysroot.string()};
  for (const auto& c : options.only_categories) args.insert(args.end(), {"--only", c});
  for (const auto& c : options.disabled_categories) args.insert(args.end(), {"--disable", c});
  if (!options.probes_enabled) args.emplace_back("--no-probes");
  if (!options.probe_dns_name.empty())
    args.insert(args.end(), {"--probe-dns", options.probe_dns_name});
  if (!options.probe_collector_host.empty()) {
    args.insert(args.end(), {"--probe-collector", options.probe_collector_host,
                             std::to_string(options.probe_collector_port)});
  }
  args.insert(args.end(), {"--process-sample-ms", std::to_string(options.process_sample_ms)});
  for (const auto& [name, until] : options.cooling_until_unix_ms)
    args.insert(args.end(), {"--cooling", name, std::to_string(until)});
  return args;
}

Result<SnapshotOptions> parse_snapshot_helper_args(const std::vector<std::string>& args) {
  SnapshotOptions options;
  std::size_t i = 0;
  auto value = [&](std::string_view flag) -> Result<std::string> {
    if (i + 1 >= args.size()) return fail(std::string(flag) + " needs a value");
    return args[++i];
  };
  for (; i < args.size(); ++i) {
    const std::string& flag = args[i];
    Result<std::string> v;
    if (flag == "--no-probes") {
      options.probes_enabled = false;
      continue;
    }
    if (!(v = value(flag))) return tl::unexpected(v.error());
    if (flag == "--sysroot") {
      options.sysroot = *v;
    } else if (flag == "--only") {
      options.only_categories.push_back(*v);
    } else if (flag == "--disable") {
      options.disabled_categories.push_back(*v);
    } else if (flag == "--probe-dns") {
      options.probe_dns_name = *v;
    } else if (flag == "--probe-collector") {
      auto port = value(flag);
      auto number = port ? parse_int(*port) : std::nullopt;
      if (!number || *number < 0 || *number > 65535) return fail("--probe-collector HOST PORT");
      options.probe_collector_host = *v;
      options.probe_collector_port = static_cast<std::uint16_t>(*number);
    } else if (flag == "--process-sample-ms") {
      auto ms = parse_int(*v);
      if (!ms || *ms < 0 || *ms > 60'000) return fail("--process-sample-ms: 0 to 60000");
      options.process_sample_ms = static_cast<std::uint32_t>(*ms);
    } else if (flag == "--cooling") {
      auto until = value(flag);
      auto ms = until ? parse_int(*until) : std::nullopt;
      if (!ms) return fail("--cooling NAME UNIX_MS");
      options.cooling_until_unix_ms[*v] = *ms;
    } else {
      return fail("unknown argument " + flag);
    }
  }
  return options;
}

v1::Snapshot take_snapshot_in_child(const SnapshotOptions& options,
                                    const SnapshotProcessOptions& process) {
  RunRequest request;
  request.argv.push_back(process.executable.string());
  request.argv.insert(request.argv.end(), process.leading_args.begin(), process.leading_args.end());
  request.argv.emplace_back(kSnapshotHelperCommand);
  auto args = snapshot_helper_args(options);
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.timeout = process.timeout;
  request.output_cap = process.max_bytes;
  // The environment is scrubbed; the proxy collector reports the agent's own proxy variables.
  for (auto name : proxy_environment_variables()) {
    std::string key(name);
    if (const char* v = std::getenv(key.c_str()); v != nullptr) request.env.emplace_back(key, v);
  }

  auto ran = run_process(request);
  if (!ran) return failed_snapshot("cannot start: " + ran.error().message);
  relay_log(ran->stderr_text);
  if (ran->stdout_truncated) {
    return failed_snapshot("wrote more than " + std::to_string(process.max_bytes) +
                           " bytes; discarded");
  }
  if (!ran->succeeded()) return failed_snapshot(ran->describe());
  v1::Snapshot snapshot;
  if (!snapshot.ParseFromString(ran->stdout_text) || snapshot.schema_version() == 0)
    return failed_snapshot("wrote something that is not a snapshot");
  spdlog::debug("snapshot process: {} bytes in {} ms, {} ms CPU", ran->stdout_text.size(),
                ran->wall_time.count(), ran->cpu_time.count());
  return snapshot;
}

bool is_failed_snapshot(const v1::Snapshot& snapshot) {
  return snapshot.collectors_size() == 1 && snapshot.collectors(0).name() == kSnapshotProcessStatus;
}

void record_cooldowns(CooldownTracker& cooldown, v1::Snapshot& snapshot,
                      CooldownTracker::Clock::time_point now) {
  for (auto& status : *snapshot.mutable_collectors()) {
    switch (status.outcome()) {
      case v1::CollectorStatus::OVER_BUDGET:
        status.set_retry_after_unix_ms(unix_ms(cooldown.record_over_budget(status.name(), now)));
        break;
      case v1::CollectorStatus::OK:
      case v1::CollectorStatus::FAILED:
      case v1::CollectorStatus::UNAVAILABLE:
        cooldown.record_ok(status.name());
        break;
      default:
        break;  // did not run: cooling down, turned off, or not available here
    }
  }
}

int run_snapshot_helper(const SnapshotOptions& options) {
  // The daemon relays stderr into its own log, at the level each line names.
  spdlog::default_logger()->set_pattern("%l %v");
  // The daemon reads stdout to the end: nothing but the snapshot may go there.
  auto bytes = SnapshotTaker(options).take().SerializeAsString();
  if (!write_standard_output(bytes)) {
    spdlog::error("cannot write the snapshot: {}", std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace triage::agent
