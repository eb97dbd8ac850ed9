#pragma once
// DNS configuration from resolv.conf. Linux.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// resolv.conf(5) contents.
struct ResolvConf {
  std::vector<std::string> nameservers, search, options;
  std::string generated_by;
};
/// Parses resolv.conf text.
ResolvConf parse_resolv_conf(std::string_view text);
/// The dns collector: nameservers, search domains and who manages them.
Result<void> collect_dns(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
