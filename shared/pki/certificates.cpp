#include "shared/pki/certificates.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "shared/pki/openssl_error.hpp"

namespace triage::pki {
namespace {

using detail::bio_contents;
using detail::memory_bio;
using detail::no_passphrase;
using detail::openssl_fail;
using detail::writable_bio;

constexpr std::size_t kMaxCsrPemBytes = 16 * 1024;
constexpr std::size_t kMaxCommonNameBytes = 64;  // ub-common-name, RFC 5280
constexpr long kClockSkewSeconds = 5 * 60;
constexpr std::chrono::hours kMaxValidity{24 * 365 * 100};

struct BignumDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct NameDeleter {
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};

// One extension in OpenSSL's config syntax, e.g. {NID_key_usage, "critical,keyCertSign"}.
struct Extension {
  int nid;
  const char* value;
};

Result<void> check_common_name(std::string_view cn) {
  if (cn.empty() || cn.size() > kMaxCommonNameBytes) {
    return fail("certificate common name must be 1 to " + std::to_string(kMaxCommonNameBytes) +
                " bytes, got " + std::to_string(cn.size()));
  }
  if (std::any_of(cn.begin(), cn.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return fail("certificate common name contains a control character");
  }
  return {};
}

Result<void> set_random_serial(X509* cert) {
  unsigned char buf[20];
  std::unique_ptr<BIGNUM, BignumDeleter> serial;
  do {
    if (RAND_bytes(buf, sizeof buf) != 1) return openssl_fail("generating certificate serial");
    // 159 random bits: positive and at most 20 octets, as RFC 5280 requires.
    buf[0] &= 0x7f;
    serial.reset(BN_bin2bn(buf, sizeof buf, nullptr));
    if (!serial) return openssl_fail("generating certificate serial");
  } while (BN_is_zero(serial.get()));
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return openssl_fail("setting certificate serial");
  }
  return {};
}

Result<void> set_validity(X509* cert, std::chrono::seconds validity) {
  if (validity < std::chrono::minutes(1) || validity > kMaxValidity) {
    return fail("certificate validity must be between 1 minute and 100 years, got " +
                std::to_string(validity.count()) + " seconds");
  }
  // Backdated so a peer whose clock is a little behind still accepts a fresh certificate.
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -kClockSkewSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(validity.count() / 86400),
                       static_cast<long>(validity.count() % 86400), nullptr) == nullptr) {
    return openssl_fail("setting certificate validity");
  }
  return {};
}

// A v3 certificate for `subject_key` with subject CN=`cn`, issued by `issuer` (nullptr: itself),
// not yet carrying extensions or a signature.
Result<X509Ptr> new_certificate(X509* issuer, EVP_PKEY* subject_key, std::string_view cn,
                                std::chrono::seconds validity) {
  if (subject_key == nullptr) return fail("no subject key given for the certificate");
  if (auto ok = check_common_name(cn); !ok) return tl::unexpected(ok.error());
  X509Ptr cert(X509_new());
  std::unique_ptr<X509_NAME, NameDeleter> subject(X509_NAME_new());
  if (!cert || !subject || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return openssl_fail("creating certificate");
  }
  if (auto ok = set_random_serial(cert.get()); !ok) return tl::unexpected(ok.error());
  if (auto ok = set_validity(cert.get(), validity); !ok) return tl::unexpected(ok.error());
  if (X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1) {
    return openssl_fail("setting certificate common name");
  }
  X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : subject.get();
  if (X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), issuer_name) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return openssl_fail("filling in certificate");
  }
  return cert;
}

Result<void> add_extensions(X509* cert, X509* issuer, std::initializer_list<Extension> extensions) {
  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  for (const Extension& e : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, e.nid, e.value);
    if (ext == nullptr) {
      return openssl_fail(std::string("building certificate extension ") + OBJ_nid2sn(e.nid));
    }
    int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (added != 1) return openssl_fail("adding certificate extension");
  }
  return {};
}

bool valid_dns_name(std::string_view name) {
  return !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '*';
  });
}

// a2i_IPADDRESS reads IPv4 with sscanf and ignores trailing text ("10.0.0.1x"), so the text is
// screened first: a dotted quad of 1-3 digit parts, or IPv6 characters only.
bool plausible_ip_text(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  if (text.find(':') != std::string_view::npos) {
    return std::all_of(text.begin(), text.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
             c == ':' || c == '.';
    });
  }
  int parts = 0;
  std::size_t digits = 0;
  for (char c : text) {
    if (c == '.') {
      if (digits == 0) return false;
      ++parts;
      digits = 0;
    } else if (c >= '0' && c <= '9' && ++digits <= 3) {
      continue;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

// Takes ownership of `value` whatever happens.
bool push_general_name(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (name == nullptr) {
    ASN1_STRING_free(value);
    return false;
  }
  GENERAL_NAME_set0_value(name, type, value);
  if (sk_GENERAL_NAME_push(names, name) <= 0) {
    GENERAL_NAME_free(name);
    return false;
  }
  return true;
}

// Built as GENERAL_NAMES rather than a "DNS:a,IP:b" config string, so a name containing a
// comma cannot smuggle in extra entries.
Result<void> add_subject_alt_names(X509* cert, const std::vector<std::string>& dns_names,
                                   const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return fail("server certificate needs at least one DNS name or IP address");
  }
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(sk_GENERAL_NAME_new_null());
  if (!names) return openssl_fail("building subjectAltName");
  for (const std::string& dns : dns_names) {
    if (!valid_dns_name(dns)) {
      return fail("server certificate DNS name `" + dns + "` is not a valid host name");
    }
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr || ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) != 1 ||
        !push_general_name(names.get(), GEN_DNS, value)) {
      return openssl_fail("building subjectAltName");
    }
  }
  for (const std::string& ip : ip_addresses) {
    ASN1_OCTET_STRING* value = plausible_ip_text(ip) ? a2i_IPADDRESS(ip.c_str()) : nullptr;
    if (value == nullptr) {
      ERR_clear_error();
      return fail("server certificate IP address `" + ip + "` is not a valid IPv4 or IPv6 address");
    }
    if (!push_general_name(names.get(), GEN_IPADD, value)) {
      return openssl_fail("building subjectAltName");
    }
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return openssl_fail("adding subjectAltName");
  }
  return {};
}

Result<void> check_ca(X509* ca_cert, EVP_PKEY* ca_key) {
  if (ca_cert == nullptr || ca_key == nullptr) return fail("no CA certificate or key given");
  if (X509_check_private_key(ca_cert, ca_key) != 1) {
    ERR_clear_error();
    return fail("CA key does not match the CA certificate");
  }
  return {};
}

Result<X509Ptr> sign(X509Ptr cert, EVP_PKEY* key) {
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return openssl_fail("signing certificate");
  return cert;
}

Result<X509ReqPtr> parse_csr(std::string_view csr_pem) {
  if (csr_pem.empty()) return fail("CSR is empty");
  if (csr_pem.size() > kMaxCsrPemBytes) {
    return fail("CSR is " + std::to_string(csr_pem.size()) + " bytes, limit is " +
                std::to_string(kMaxCsrPemBytes));
  }
  auto bio = memory_bio(csr_pem);
  if (!bio) return openssl_fail("reading CSR");
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, no_passphrase, nullptr));
  if (!req) return openssl_fail("CSR is not a PEM certificate request");
  return req;
}

Result<void> require_p256(EVP_PKEY* key) {
  const std::string expected = "CSR key must be ECDSA P-256, got ";
  if (EVP_PKEY_is_a(key, "EC") != 1) {
    const char* type = EVP_PKEY_get0_type_name(key);
    return fail(expected + (type != nullptr ? type : "an unknown key type"));
  }
  char text[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, text, sizeof text, &length) !=
      1) {
    ERR_clear_error();
    return fail(expected + "an EC key on an unnamed curve");
  }
  if (std::string_view(text, length) != "prime256v1") return fail(expected + "EC " + text);
  // Explicit curve parameters equal to P-256 would pass the name check but make a certificate
  // that strict verifiers reject.
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, text, sizeof text,
                                     &length) == 1 &&
      std::string_view(text, length) != OSSL_PKEY_EC_ENCODING_GROUP) {
    return fail(expected + "P-256 with explicit curve parameters (use the named curve)");
  }
  ERR_clear_error();
  return {};
}

}  // namespace

Result<X509Ptr> make_ca_certificate(EVP_PKEY* key, std::string_view common_name,
                                    std::chrono::hours validity) {
  if (key == nullptr) return fail("make_ca_certificate: no key given");
  auto cert = new_certificate(nullptr, key, common_name, validity);
  if (!cert) return cert;
  auto ok = add_extensions(cert->get(), cert->get(),
                           {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            {NID_key_usage, "critical,keyCertSign,cRLSign"},
                            {NID_subject_key_identifier, "hash"}});
  if (!ok) return tl::unexpected(ok.error());
  return sign(std::move(*cert), key);
}

Result<X509Ptr> issue_server_certificate(X509* ca_cert, EVP_PKEY* ca_key, EVP_PKEY* subject_key,
                                         std::string_view common_name,
                                         const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses,
                                         std::chrono::hours validity) {
  if (auto ok = check_ca(ca_cert, ca_key); !ok) return tl::unexpected(ok.error());
  auto cert = new_certificate(ca_cert, subject_key, common_name, validity);
  if (!cert) return cert;
  auto ok = add_extensions(cert->get(), ca_cert,
                           {{NID_basic_constraints, "critical,CA:FALSE"},
                            {NID_key_usage, "critical,digitalSignature"},
                            {NID_ext_key_usage, "serverAuth"},
                            {NID_subject_key_identifier, "hash"},
                            {NID_authority_key_identifier, "keyid:always"}});
  if (!ok) return tl::unexpected(ok.error());
  if (auto san = add_subject_alt_names(cert->get(), dns_names, ip_addresses); !san) {
    return tl::unexpected(san.error());
  }
  return sign(std::move(*cert), ca_key);
}

Result<std::string> make_csr_pem(EVP_PKEY* key, std::string_view common_name) {
  if (key == nullptr) return fail("make_csr_pem: no key given");
  if (auto ok = check_common_name(common_name); !ok) return tl::unexpected(ok.error());
  X509ReqPtr req(X509_REQ_new());
  std::unique_ptr<X509_NAME, NameDeleter> subject(X509_NAME_new());
  if (!req || !subject || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1 ||
      X509_REQ_set_subject_name(req.get(), subject.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), key) != 1) {
    return openssl_fail("building CSR");
  }
  // EdDSA keys sign the message itself and take no separate digest.
  const EVP_MD* md = EVP_PKEY_is_a(key, "ED25519") == 1 || EVP_PKEY_is_a(key, "ED448") == 1
                         ? nullptr
                         : EVP_sha256();
  if (X509_REQ_sign(req.get(), key, md) <= 0) return openssl_fail("signing CSR");
  auto bio = writable_bio();
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) {
    return openssl_fail("writing CSR PEM");
  }
  return bio_contents(bio.get());
}

Result<X509Ptr> issue_device_certificate(X509* ca_cert, EVP_PKEY* ca_key, std::string_view csr_pem,
                                         std::string_view device_id,
                                         std::chrono::seconds validity) {
  if (auto ok = check_ca(ca_cert, ca_key); !ok) return tl::unexpected(ok.error());
  auto req = parse_csr(csr_pem);
  if (!req) return tl::unexpected(req.error());
  EVP_PKEY* key = X509_REQ_get0_pubkey(req->get());
  if (key == nullptr) return openssl_fail("CSR public key is unreadable");
  if (X509_REQ_verify(req->get(), key) != 1) {
    ERR_clear_error();
    return fail("CSR signature does not verify");
  }
  if (auto ok = require_p256(key); !ok) return tl::unexpected(ok.error());
  // Only the key is taken from the CSR: subject and requested extensions are the device's
  // wishes, the CA decides.
  auto cert = new_certificate(ca_cert, key, device_id, validity);
  if (!cert) return cert;
  auto ok = add_extensions(cert->get(), ca_cert,
                           {{NID_basic_constraints, "critical,CA:FALSE"},
                            {NID_key_usage, "critical,digitalSignature"},
                            {NID_ext_key_usage, "clientAuth"},
                            {NID_authority_key_identifier, "keyid:always"}});
  if (!ok) return tl::unexpected(ok.error());
  return sign(std::move(*cert), ca_key);
}

}  // namespace triage::pki
