#pragma once
// `triage-agent enroll`: generate the device key here, send a CSR with the admin's token to
// the collector (whose CA is pinned by fingerprint), store key + certificate + CA.

#include <string>

#include "agent/state/agent_state.hpp"
#include "agent/state/system_paths.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

struct EnrollOptions {
  std::string server_url;  ///< wss://HOST:PORT
  std::string token;
  std::string ca_sha256;
  StateDir state{system_paths().state_dir};
  std::string hostname;  ///< sent as information; the collector assigns the device id
  bool force = false;    ///< replace an existing enrollment
};

/// Enrolls and writes the state directory. Returns the device id.
Result<std::string> enroll(const EnrollOptions& options);

}  // namespace triage::agent
