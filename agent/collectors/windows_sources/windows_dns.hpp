#pragma once
// DNS client configuration: the nameservers the DNS Client asks and the suffixes it appends.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "agent/collectors/windows_sources/win_adapters_answer.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The nameservers the DNS Client asks: those of the connected adapters, the lowest interface
/// metric first, each once, without the site-local defaults fec0:0:0:ffff::1-3.
std::vector<std::string> windows_nameservers(const std::vector<WinAdapter>& adapters);

/// A SearchList value ("corp.example.com,example.com"; spaces tolerated) as its suffixes.
std::vector<std::string> parse_search_list(std::string_view text);

Result<void> collect_windows_dns(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
