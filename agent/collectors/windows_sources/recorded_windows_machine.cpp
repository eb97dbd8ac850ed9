#include "agent/collectors/windows_sources/recorded_windows_machine.hpp"

#include "agent/collectors/windows_sources/win_host.hpp"
#include "shared/util/files.hpp"
#include "shared/util/json_fields.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kNotAvailable = "not available on a recorded Windows machine";

class RecordedWindowsMachine final : public Host {
 public:
  explicit RecordedWindowsMachine(const std::filesystem::path& dir)
      : windows_(make_recorded_win_host(dir)) {
    if (auto text = read_file(dir / "machine.json", 64 * 1024)) {
      auto doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
      if (doc.is_object()) machine_ = doc;
    }
  }

  bool live() const override { return false; }
  bool is_root() const override { return bool_field(machine_, "is_admin", true); }
  std::int64_t now_unix_ms() const override {
    return int_field(machine_, "now_unix_ms", 1765000000000);
  }
  Result<FsUsage> fs_usage(std::string_view) const override {
    return fail(ErrorCode::kUnavailable, std::string(kNotAvailable));
  }
  Result<ClockState> clock_state() const override {
    return fail(ErrorCode::kUnavailable, std::string(kNotAvailable));
  }
  Result<std::vector<InterfaceAddress>> interface_addresses() const override {
    return fail(ErrorCode::kUnavailable, std::string(kNotAvailable));
  }
  std::string environment(std::string_view name) const override {
    auto env = machine_.find("environment");
    if (env == machine_.end()) return {};
    return string_field(*env, name);
  }
  bool has_program(std::string_view) const override { return false; }
  Result<RunResult> run(const RunRequest&) override {
    return fail(ErrorCode::kUnavailable, std::string(kNotAvailable));
  }
  WinHost* windows() override { return windows_.get(); }

 private:
  WinHostPtr windows_;
  nlohmann::json machine_ = nlohmann::json::object();
};

}  // namespace

HostPtr make_recorded_windows_machine(const std::filesystem::path& dir) {
  return std::make_unique<RecordedWindowsMachine>(dir);
}

}  // namespace triage::agent
