#include "agent/probes/tls_inspect.hpp"

#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace triage::agent {

namespace {

std::string name_text(X509_NAME* name) {
  if (name == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "";
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(std::max(0L, std::min(size, 1024L))));
  BIO_free(bio);
  return out;
}

std::int64_t unix_ms(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return 0;
  // The calendar fields as UTC with <chrono> (timegm is not on every platform).
  const std::chrono::year_month_day day{std::chrono::year(tm.tm_year + 1900),
                                        std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                                        std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
  const auto at = std::chrono::sys_days(day) + std::chrono::hours(tm.tm_hour) +
                  std::chrono::minutes(tm.tm_min) + std::chrono::seconds(tm.tm_sec);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const unsigned char* b = ASN1_STRING_get0_data(ip);
  const int n = ASN1_STRING_length(ip);
  if (n == 4) {
    return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
           std::to_string(b[3]);
  }
  std::string out;
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < n; ++i) {
    if (i > 0 && i % 2 == 0) out += ':';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

bool is_address(const std::string& host) {
  return host.find(':') != std::string::npos ||
         (!host.empty() && host.find_first_not_of("0123456789.") == std::string::npos);
}

}  // namespace

v1::CertificateInfo describe_certificate(X509* cert) {
  v1::CertificateInfo out;
  out.set_subject(name_text(X509_get_subject_name(cert)));
  out.set_issuer(name_text(X509_get_issuer_name(cert)));
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names) && out.names_size() < 32; ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type == GEN_DNS) {
        const auto* s = name->d.dNSName;
        out.add_names(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                  static_cast<std::size_t>(std::min(ASN1_STRING_length(s), 255))));
      } else if (name->type == GEN_IPADD) {
        out.add_names(ip_text(name->d.iPAddress));
      }
    }
    GENERAL_NAMES_free(names);
  }
  out.set_not_before_unix_ms(unix_ms(X509_get0_notBefore(cert)));
  out.set_not_after_unix_ms(unix_ms(X509_get0_notAfter(cert)));
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  out.set_expired(out.not_after_unix_ms() != 0 && out.not_after_unix_ms() < now);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) == 1) {
    static const char* kHex = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
      hex += kHex[digest[i] >> 4];
      hex += kHex[digest[i] & 15];
    }
    out.set_sha256(hex);
  }
  return out;
}

void expect_peer(SSL* ssl, const std::string& host) {
  if (is_address(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    return;
  }
  SSL_set_tlsext_host_name(ssl, host.c_str());
  SSL_set1_host(ssl, host.c_str());
}

void inspect_tls(SSL* ssl, v1::TlsInfo& out) {
  out.set_protocol(SSL_get_version(ssl));
  out.set_cipher(SSL_get_cipher_name(ssl));
  // The client's view of the chain includes the leaf.
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain) && i < 10; ++i) {
      *out.add_chain() = describe_certificate(sk_X509_value(chain, i));
    }
  }
  // The handshake ran without enforcing verification (the chain is what we came to see); the
  // verdict OpenSSL reached is reported instead.
  const long verdict = SSL_get_verify_result(ssl);
  out.set_verified(verdict == X509_V_OK && out.chain_size() > 0);
  if (verdict != X509_V_OK) {
    out.set_verify_error(X509_verify_cert_error_string(verdict));
  } else if (out.chain_size() == 0) {
    out.set_verify_error("the server sent no certificate");
  }
}

}  // namespace triage::agent
