#include "agent/state/agent_state.hpp"

#include <nlohmann/json.hpp>

#include "shared/util/files.hpp"
#include "shared/util/json_fields.hpp"

namespace triage::agent {

bool StateDir::enrolled() const {
  std::error_code ec;
  return std::filesystem::exists(enrollment(), ec);
}

Result<Enrollment> load_enrollment(const StateDir& dir) {
  auto text = read_file(dir.enrollment(), 64 * 1024);
  if (!text) {
    return fail("this agent is not enrolled (no " + dir.enrollment().string() +
                "); run `triage-agent enroll` first");
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(dir.enrollment().string() + " is corrupt");
  Enrollment e;
  e.server_url = string_field(j, "server");
  e.device_id = string_field(j, "device_id");
  e.ca_sha256 = string_field(j, "ca_sha256");
  e.enrolled_at = string_field(j, "enrolled_at");
  if (e.server_url.empty() || e.device_id.empty()) {
    return fail(dir.enrollment().string() + " lacks server or device_id");
  }
  return e;
}

Result<void> save_enrollment(const StateDir& dir, const Enrollment& e) {
  nlohmann::json j = {{"server", e.server_url},
                      {"device_id", e.device_id},
                      {"ca_sha256", e.ca_sha256},
                      {"enrolled_at", e.enrolled_at}};
  return write_file_atomic(dir.enrollment(), j.dump(2) + "\n", 0600);
}

Result<AgentIdentity> load_identity(const StateDir& dir) {
  AgentIdentity id;
  auto enrollment = load_enrollment(dir);
  if (!enrollment) return tl::unexpected(enrollment.error());
  id.enrollment = std::move(*enrollment);
  auto ca = read_file(dir.ca_certificate(), 64 * 1024);
  auto cert = read_file(dir.device_certificate(), 64 * 1024);
  auto key = read_file(dir.device_key(), 64 * 1024);
  if (!ca) return fail("state", ca.error());
  if (!cert) return fail("state", cert.error());
  if (!key) return fail("state", key.error());
  id.ca_pem = std::move(*ca);
  id.certificate_pem = std::move(*cert);
  id.key_pem = std::move(*key);
  std::error_code ec;
  if (std::filesystem::exists(dir.order_signing_key(), ec)) {
    auto signing = read_file(dir.order_signing_key(), 16 * 1024);
    if (!signing) return fail("state", signing.error());
    id.order_signing_key_pem = std::move(*signing);
  }
  return id;
}

}  // namespace triage::agent
