#include "agent/enroll/certificate_renewal.hpp"

#include <system_error>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxPemBytes = 64 * 1024;

// The files of an installation in progress, beside the ones in use.
std::filesystem::path new_key(const StateDir& s) { return s.root() / "device.key.new"; }
std::filesystem::path new_certificate(const StateDir& s) { return s.root() / "device.pem.new"; }
std::filesystem::path previous_key(const StateDir& s) { return s.root() / "device.key.previous"; }

bool file_exists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

void remove_quietly(const std::filesystem::path& p) {
  std::error_code ec;
  std::filesystem::remove(p, ec);
}

/// Whether the PEM key in `key_path` is the one the PEM certificate in `certificate_path`
/// certifies; false when either cannot be read.
bool pair_matches(const std::filesystem::path& key_path,
                  const std::filesystem::path& certificate_path) {
  auto key_pem = read_file(key_path, kMaxPemBytes);
  auto certificate_pem = read_file(certificate_path, kMaxPemBytes);
  if (!key_pem || !certificate_pem) return false;
  auto key = pki::private_key_from_pem(*key_pem);
  auto certificate = pki::certificate_from_pem(*certificate_pem);
  return key && certificate && pki::certificate_matches_key(certificate->get(), key->get());
}

}  // namespace

Result<bool> renewal_due(std::string_view certificate_pem, std::int64_t now_unix) {
  auto certificate = pki::certificate_from_pem(certificate_pem);
  if (!certificate) return tl::unexpected(certificate.error());
  auto validity = pki::certificate_validity(certificate->get());
  if (!validity) return tl::unexpected(validity.error());
  const auto lifetime = validity->not_after_unix - validity->not_before_unix;
  if (lifetime <= 0) return fail("the device certificate has no lifetime");
  return validity->not_after_unix - now_unix < lifetime / 3;
}

Result<RenewalKey> prepare_renewal(std::string_view device_id) {
  auto key = pki::generate_p256_key();
  if (!key) return tl::unexpected(key.error());
  auto key_pem = pki::private_key_to_pem(key->get());
  // The collector ignores the CSR's names and certifies the key for the device the connection
  // proved; the device id is asked for all the same, so the request says what it is for.
  auto csr_pem = pki::make_csr_pem(key->get(), device_id);
  if (!key_pem) return tl::unexpected(key_pem.error());
  if (!csr_pem) return tl::unexpected(csr_pem.error());
  return RenewalKey{std::move(*key_pem), std::move(*csr_pem)};
}

Result<void> install_renewed_certificate(const StateDir& state, const AgentIdentity& identity,
                                         const RenewalKey& key, std::string_view certificate_pem) {
  auto certificate = pki::certificate_from_pem(certificate_pem);
  if (!certificate) return fail("renewed certificate", certificate.error());
  auto ca = pki::certificate_from_pem(identity.ca_pem);
  if (!ca) return fail("pinned CA", ca.error());
  if (auto chained = pki::verify_certificate(certificate->get(), ca->get()); !chained)
    return fail("renewed certificate", chained.error());
  auto name = pki::certificate_common_name(certificate->get());
  if (!name || *name != identity.enrollment.device_id)
    return fail("the renewed certificate names another device");
  auto private_key = pki::private_key_from_pem(key.key_pem);
  if (!private_key) return tl::unexpected(private_key.error());
  if (!pki::certificate_matches_key(certificate->get(), private_key->get()))
    return fail("the renewed certificate certifies another key");

  // device.key and device.pem cannot be replaced together; each step leaves a state that
  // recover_interrupted_renewal() turns into a working pair (the old one or the new one).
  for (auto r : {write_file_atomic(new_key(state), key.key_pem, 0600),
                 write_file_atomic(new_certificate(state), certificate_pem, 0644)}) {
    if (!r) {
      remove_quietly(new_key(state));
      remove_quietly(new_certificate(state));
      return r;
    }
  }
  if (auto r = replace_file(state.device_key(), previous_key(state)); !r) return r;
  if (auto r = replace_file(new_key(state), state.device_key()); !r) return r;
  if (auto r = replace_file(new_certificate(state), state.device_certificate()); !r) return r;
  remove_quietly(previous_key(state));
  return {};
}

Result<void> recover_interrupted_renewal(const StateDir& state) {
  // Stopped after the key in use was set aside and before the new one took its place.
  if (!file_exists(state.device_key()) && file_exists(previous_key(state))) {
    if (auto r = replace_file(previous_key(state), state.device_key()); !r) return r;
  }
  if (!pair_matches(state.device_key(), state.device_certificate())) {
    if (file_exists(new_certificate(state)) &&
        pair_matches(state.device_key(), new_certificate(state))) {
      // The new key is in place, its certificate not yet: finish.
      if (auto r = replace_file(new_certificate(state), state.device_certificate()); !r) return r;
    } else if (file_exists(previous_key(state)) &&
               pair_matches(previous_key(state), state.device_certificate())) {
      // The certificate in use is the old one: take its key back.
      if (auto r = replace_file(previous_key(state), state.device_key()); !r) return r;
    }
  }
  if (pair_matches(state.device_key(), state.device_certificate())) {
    remove_quietly(previous_key(state));
    remove_quietly(new_key(state));
    remove_quietly(new_certificate(state));
  }
  return {};
}

}  // namespace triage::agent
