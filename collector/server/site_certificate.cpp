#include "collector/server/site_certificate.hpp"

#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxPemBytes = 1024 * 1024;

std::string asn1_time_text(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return "an unreadable date";
  return format_rfc3339(std::chrono::system_clock::from_time_t(timegm(&tm)));
}

// "CN=staff.example.internal,O=Example" (RFC 2253, most specific first).
std::string subject_line(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    return "an unreadable subject";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

}  // namespace

Result<SiteCertificate> load_site_certificate(const SiteCertificateFiles& files) {
  if (files.certificate.empty() || files.key.empty()) {
    return fail(ErrorCode::kInvalid,
                "[staff_tls] needs both `certificate` and `key` (PEM files), or neither");
  }
  const std::string cert_name = "[staff_tls] certificate " + files.certificate;
  const std::string key_name = "[staff_tls] key " + files.key;
  auto chain = read_file(files.certificate, kMaxPemBytes);
  if (!chain) return fail(cert_name, chain.error());
  struct stat st {};
  if (::stat(files.key.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0) {
    return fail(ErrorCode::kDenied, key_name +
                                        " is readable by others; chmod o-r it (0640 with "
                                        "the collector's group, or 0600)");
  }
  auto key = read_file(files.key, kMaxPemBytes);
  if (!key) return fail(key_name, key.error());
  auto leaf = pki::certificate_from_pem(*chain);
  if (!leaf) return fail(cert_name, leaf.error());
  SiteCertificate site;
  site.subject = subject_line(leaf->get());
  site.not_after = asn1_time_text(X509_get0_notAfter(leaf->get()));
  if (X509_cmp_current_time(X509_get0_notBefore(leaf->get())) > 0) {
    return fail(ErrorCode::kInvalid, cert_name + ": not valid before " +
                                         asn1_time_text(X509_get0_notBefore(leaf->get())) +
                                         " (check the clock)");
  }
  if (X509_cmp_current_time(X509_get0_notAfter(leaf->get())) < 0) {
    return fail(ErrorCode::kInvalid,
                cert_name + ": expired on " + site.not_after + "; install a renewed one");
  }
  auto private_key = pki::private_key_from_pem(*key);
  if (!private_key) return fail(key_name, private_key.error());
  if (X509_check_private_key(leaf->get(), private_key->get()) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kInvalid, key_name + " does not match the certificate in " +
                                         files.certificate + "; install the key it was issued for");
  }
  auto fingerprint = pki::certificate_sha256(leaf->get());
  if (!fingerprint) return fail(cert_name, fingerprint.error());
  site.sha256 = *fingerprint;
  auto context = transport::make_site_server_tls_context(*chain, *key);
  if (!context) return fail(cert_name + " with " + files.key, context.error());
  site.context = std::move(*context);
  return site;
}

}  // namespace triage::collector
