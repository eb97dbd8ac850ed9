#pragma once
// A Windows machine written in the test itself, for answers no real machine gives: wrong JSON
// types, missing fields, a log of 100,000 records, a host that ignores max_records. Each
// member answers one WinHost question; what a test leaves empty answers kNotFound.

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/collectors/snapshot_taker.hpp"
#include "agent/collectors/windows_sources/win_host.hpp"
#include "agent/collectors/windows_sources/windows_catalog.hpp"

namespace triage::agent::testing {

class ScriptedWinHost final : public WinHost {
 public:
  std::map<std::string, nlohmann::json, CaseInsensitiveLess> api_answers;
  std::map<std::string, std::vector<nlohmann::json>, CaseInsensitiveLess> wmi_rows;
  std::map<std::string, RegistryKey, CaseInsensitiveLess> keys;
  std::map<std::string, std::vector<WinFileEntry>, CaseInsensitiveLess> directories;
  std::map<std::string, std::string, CaseInsensitiveLess> files;
  /// Answers events(); unset: kNotFound.
  std::function<Result<std::vector<EventRecord>>(const EventQuery&)> on_events;
  /// Every events() query, in order.
  std::vector<EventQuery> queries;

  bool live() const override { return false; }
  Result<RegistryKey> registry(std::string_view path, RegistryView) override {
    auto it = keys.find(path);
    if (it == keys.end()) return fail(ErrorCode::kNotFound, "no key " + std::string(path));
    return it->second;
  }
  Result<std::vector<nlohmann::json>> wmi(std::string_view, std::string_view wmi_class,
                                          const std::vector<std::string>&) override {
    auto it = wmi_rows.find(wmi_class);
    if (it == wmi_rows.end()) return fail(ErrorCode::kNotFound, "no class");
    return it->second;
  }
  Result<std::vector<EventRecord>> events(const EventQuery& query) override {
    queries.push_back(query);
    if (!on_events) return fail(ErrorCode::kNotFound, "no log " + query.log);
    return on_events(query);
  }
  Result<std::vector<WinFileEntry>> list_directory(std::string_view path) override {
    auto it = directories.find(path);
    if (it == directories.end()) return fail(ErrorCode::kNotFound, "no directory");
    return it->second;
  }
  Result<std::string> read_file(std::string_view path, std::size_t max_bytes) override {
    auto it = files.find(path);
    if (it == files.end()) return fail(ErrorCode::kNotFound, "no file");
    return it->second.substr(0, max_bytes);
  }
  Result<nlohmann::json> api(std::string_view name) override {
    auto it = api_answers.find(name);
    if (it == api_answers.end()) return fail(ErrorCode::kNotFound, "no answer");
    return it->second;
  }
};

/// The Host around a ScriptedWinHost, at a fixed instant.
class ScriptedWindowsMachine final : public Host {
 public:
  ScriptedWindowsMachine(std::shared_ptr<ScriptedWinHost> win, std::int64_t now)
      : win_(std::move(win)), now_(now) {}
  bool live() const override { return false; }
  bool is_root() const override { return true; }
  std::int64_t now_unix_ms() const override { return now_; }
  Result<FsUsage> fs_usage(std::string_view) const override { return fail("scripted"); }
  Result<ClockState> clock_state() const override { return fail("scripted"); }
  Result<std::vector<InterfaceAddress>> interface_addresses() const override {
    return fail("scripted");
  }
  std::string environment(std::string_view) const override { return {}; }
  bool has_program(std::string_view) const override { return false; }
  Result<RunResult> run(const RunRequest&) override { return fail("scripted"); }
  WinHost* windows() override { return win_.get(); }

 private:
  std::shared_ptr<ScriptedWinHost> win_;
  std::int64_t now_;
};

/// The recordings' instant, 2026-12-01T12:00:00Z.
inline constexpr std::int64_t kScriptedNow = 1796126400000;

/// Only source `name` of the Windows catalog against `win` (the test keeps it to look at the
/// queries it was asked).
inline v1::Snapshot scripted_collect(std::string_view name, std::shared_ptr<ScriptedWinHost> win,
                                     std::int64_t now = kScriptedNow) {
  for (const auto& spec : windows_collector_catalog()) {
    if (spec.name != name) continue;
    return SnapshotTaker(SnapshotOptions{}, std::span<const CollectorSpec>(&spec, 1),
                         std::make_unique<ScriptedWindowsMachine>(std::move(win), now))
        .take();
  }
  throw std::invalid_argument("no source named " + std::string(name));
}

}  // namespace triage::agent::testing
