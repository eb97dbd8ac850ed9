// Installed RPM packages via `rpm -qa` (the rpmdb is a binary SQLite/BDB/NDB database whose
// headers only librpm decodes). Runs only when an rpm database exists, so the rpm tool
// installed on a Debian machine costs nothing. RPM family; any user; ~100-300 ms of rpm's CPU
// on large databases, bounded by a 20 s timeout.
#include "agent/collectors/linux/rpm.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::vector<DpkgEntry> parse_rpm_qa(std::string_view text) {
  std::vector<DpkgEntry> out;
  for (auto line : split_lines(text)) {
    auto f = split(line, '\t');
    if (f.size() != 3 || f[0].empty()) continue;
    DpkgEntry e;
    e.name = std::string(f[0]);
    e.version = std::string(f[1]);
    e.arch = std::string(f[2]);
    e.state = "installed";
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> collect_rpm(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  bool db = fs.exists("/var/lib/rpm/rpmdb.sqlite") || fs.exists("/var/lib/rpm/Packages") ||
            fs.exists("/var/lib/rpm/Packages.db") ||
            fs.exists("/usr/lib/sysimage/rpm/rpmdb.sqlite");
  if (!db) {
    ctx.unavailable("no rpm database");
    return {};
  }
  if (!ctx.host().has_program("rpm")) {
    ctx.unavailable("rpm database present but the rpm tool is not installed");
    return {};
  }
  auto run = ctx.run(
      {"rpm", "-qa", "--qf", "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\n"},
      std::chrono::seconds(20), 16 * 1024 * 1024);
  if (!run) return fail(run.error().message);
  if (!run->succeeded()) return fail("rpm -qa: " + run->describe());
  for (auto& e : parse_rpm_qa(run->stdout_text)) {
    auto* p = out.mutable_software()->add_packages();
    p->set_name(std::move(e.name));
    p->set_arch(std::move(e.arch));
    p->set_source(v1::Package::RPM);
    p->set_version(std::move(e.version));
  }
  if (run->stdout_truncated) ctx.note("package list truncated at 16 MiB");
  return {};
}

}  // namespace triage::agent
