// Fixture Host: answers non-file queries for a --sysroot tree from DIR/.triage-fixture/.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "agent/collectors/host.hpp"

namespace triage::agent {
namespace {

constexpr std::string_view kFixtureDir = "/.triage-fixture";
constexpr std::string_view kNotAvailable = "not available under --sysroot";

class FixtureHost final : public Host {
 public:
  explicit FixtureHost(const FsRoot& fs) : fs_(fs) {
    auto text = fs_.read(std::string(kFixtureDir) + "/host.json", 1024 * 1024);
    if (text) {
      json_ = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
      if (json_.is_discarded() || !json_.is_object()) json_ = nlohmann::json::object();
    } else {
      json_ = nlohmann::json::object();
    }
  }

  bool live() const override { return false; }
  bool is_root() const override { return json_.value("is_root", true); }
  std::int64_t now_unix_ms() const override {
    // Fixtures pin "now" so ages (stuck jobs, crash dumps) are reproducible.
    return json_.value("now_unix_ms", std::int64_t{1718000000000});
  }

  Result<FsUsage> fs_usage(std::string_view mount_point) const override {
    auto all = json_.find("fs_usage");
    if (all == json_.end() || !all->is_object()) return fail(std::string(kNotAvailable));
    auto it = all->find(std::string(mount_point));
    if (it == all->end() || !it->is_object()) return fail(std::string(kNotAvailable));
    FsUsage u;
    u.size_bytes = it->value("size_bytes", std::uint64_t{0});
    u.free_bytes = it->value("free_bytes", std::uint64_t{0});
    u.avail_bytes = it->value("avail_bytes", u.free_bytes);
    u.inodes_total = it->value("inodes_total", std::uint64_t{0});
    u.inodes_free = it->value("inodes_free", std::uint64_t{0});
    return u;
  }

  Result<ClockState> clock_state() const override {
    auto it = json_.find("clock");
    if (it == json_.end() || !it->is_object()) return fail(std::string(kNotAvailable));
    ClockState c;
    c.synchronized = it->value("synchronized", false);
    c.offset_ms = it->value("offset_ms", 0.0);
    c.max_error_ms = it->value("max_error_ms", 0.0);
    return c;
  }

  Result<std::vector<InterfaceAddress>> interface_addresses() const override {
    auto it = json_.find("interface_addresses");
    if (it == json_.end() || !it->is_array()) return fail(std::string(kNotAvailable));
    std::vector<InterfaceAddress> out;
    for (const auto& a : *it) {
      if (!a.is_object()) continue;
      InterfaceAddress ia;
      ia.interface = a.value("interface", "");
      ia.address = a.value("address", "");
      ia.prefix_length = a.value("prefix_length", 0u);
      ia.ipv6 = a.value("ipv6", false);
      ia.scope = a.value("scope", "global");
      out.push_back(std::move(ia));
    }
    return out;
  }

  std::string environment(std::string_view name) const override {
    auto it = json_.find("environment");
    if (it == json_.end() || !it->is_object()) return {};
    return it->value(std::string(name), "");
  }

  bool has_program(std::string_view name) const override {
    auto it = json_.find("programs");
    if (it == json_.end() || !it->is_array()) return false;
    return std::any_of(it->begin(), it->end(), [&](const auto& p) {
      return p.is_string() && p.template get<std::string>() == name;
    });
  }

  Result<RunResult> run(const RunRequest& request) override {
    if (request.argv.empty()) return fail("run: empty argv");
    if (!has_program(request.argv[0])) {
      return fail("not installed: " + request.argv[0] + " (fixture lists no such program)");
    }
    std::string base = std::string(kFixtureDir) + "/commands/" + fixture_command_key(request.argv);
    auto out = fs_.read(base, 8 * 1024 * 1024);
    if (!out) return fail("no recorded output for `" + fixture_command_key(request.argv) + "`");
    RunResult r;
    r.exit_code = 0;
    if (auto code = fs_.read_attr(base + ".exit")) r.exit_code = std::atoi(code->c_str());
    r.stdout_truncated = out->size() > request.output_cap;
    r.stdout_text = out->substr(0, request.output_cap);
    return r;
  }

 private:
  const FsRoot& fs_;
  nlohmann::json json_;
};

}  // namespace

std::string fixture_command_key(const std::vector<std::string>& argv) {
  std::string key;
  for (const auto& a : argv) {
    if (!key.empty()) key += ' ';
    key += a;
  }
  std::replace(key.begin(), key.end(), '/', '_');
  return key;
}

HostPtr make_fixture_host(const FsRoot& fs) { return std::make_unique<FixtureHost>(fs); }

}  // namespace triage::agent
