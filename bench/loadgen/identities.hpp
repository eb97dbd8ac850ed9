#pragma once
// Device identities for simulated agents: enrolled through the real API once (many at a
// time, one multi-use token), then cached on disk and reused across runs.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::loadgen {

struct Identity {
  std::string device_id;
  pki::X509Ptr certificate;
  pki::PKeyPtr key;
};

struct EnrollPlan {
  std::string host;
  std::string port;
  std::string ca_pem;
  std::string token;
  std::filesystem::path cache_dir;
  std::size_t count = 0;
  std::size_t parallel = 8;
};

/// Loads cached identities and enrolls the missing ones. Returns exactly `count`.
Result<std::vector<Identity>> load_or_enroll(const EnrollPlan& plan);

}  // namespace triage::loadgen
