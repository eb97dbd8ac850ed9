#pragma once
// Proxy settings: the machine's WinHTTP proxy (services, the agent itself) and each signed-in
// user's Internet settings (browsers, Office, most applications).

#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// A proxy list ("http=host:80;https=user:pw@host:443", "http://u:pw@host:8080") with the
/// credentials of every entry redacted, with or without a URL scheme.
std::string redact_proxy_list(std::string_view value);

Result<void> collect_windows_proxy(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
