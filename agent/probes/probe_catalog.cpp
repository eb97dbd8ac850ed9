#include "agent/probes/probe_catalog.hpp"

#include <array>

#include "agent/probes/connections_probe.hpp"
#include "agent/probes/disk_usage_probe.hpp"
#include "agent/probes/http_get_probe.hpp"
#include "agent/probes/listening_probe.hpp"
#include "agent/probes/log_lines_probe.hpp"
#include "agent/probes/path_probe.hpp"
#include "agent/probes/reach_probe.hpp"
#include "agent/probes/resolve_probe.hpp"

namespace triage::agent {

namespace {

struct CatalogEntry {
  std::string_view name;
  ProbeFn run;
};

constexpr std::array<CatalogEntry, 8> kCatalog = {{
    {"reach", run_reach_probe},
    {"resolve", run_resolve_probe},
    {"http_get", run_http_get_probe},
    {"listening", run_listening_probe},
    {"disk_usage", run_disk_usage_probe},
    {"connections", run_connections_probe},
    {"log_lines", run_log_lines_probe},
    {"path", run_path_probe},
}};

}  // namespace

ProbeFn find_probe(std::string_view name) {
  for (const auto& entry : kCatalog) {
    if (entry.name == name) return entry.run;
  }
  return nullptr;
}

}  // namespace triage::agent
