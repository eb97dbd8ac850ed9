#include "agent/collectors/collect_command.hpp"

#include <google/protobuf/util/json_util.h>

#include "agent/collectors/category.hpp"
#include "agent/collectors/snapshot_taker.hpp"
#include "agent/collectors/summary.hpp"

namespace triage::agent {

int run_collect_command(const CollectCommandOptions& options, std::ostream& out,
                        std::ostream& err) {
  std::string valid;
  for (auto c : all_categories())
    valid += (valid.empty() ? "" : ", ") + std::string(category_name(c));
  SnapshotOptions snap;
  std::vector<std::string> names;
  for (const auto& item : options.only) {
    // Accept "--only a,b" passed through as one item as well as repeated options.
    std::size_t start = 0;
    while (start <= item.size()) {
      auto comma = item.find(',', start);
      if (comma == std::string::npos) comma = item.size();
      if (comma > start) names.push_back(item.substr(start, comma - start));
      start = comma + 1;
    }
  }
  for (const auto& name : names) {
    if (!parse_category(name)) {
      err << "triage-agent collect: unknown category `" << name
          << "` in --only; valid categories: " << valid << "\n";
      return 2;
    }
    snap.only_categories.push_back(name);
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(options.sysroot, ec)) {
    err << "triage-agent collect: --sysroot " << options.sysroot.string()
        << " is not a directory\n";
    return 2;
  }
  snap.sysroot = options.sysroot;
  // No collector is configured locally: the DNS probe checks a well-known name.
  snap.probe_dns_name = "debian.org";
  auto snapshot = SnapshotTaker(snap).take();
  if (options.json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions jo;
    jo.add_whitespace = true;
    auto status = google::protobuf::util::MessageToJsonString(snapshot, &json, jo);
    if (!status.ok()) {
      err << "triage-agent collect: cannot print JSON: " << status.ToString() << "\n";
      return 1;
    }
    out << json;
  } else {
    render_summary(snapshot, out);
  }
  return 0;
}

}  // namespace triage::agent
