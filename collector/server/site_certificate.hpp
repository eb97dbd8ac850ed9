#pragma once
// The site's own certificate on the staff listener (`[staff_tls]`): people's browsers trust the
// site's CA, so the console needs no private CA imported, while agents keep pinning the
// collector's own CA on the agent listener. Read and checked at start and on each SIGHUP.

#include <string>

#include "shared/transport/tls_context.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// `[staff_tls]`: PEM files of the staff listener's certificate (leaf first, then any
/// intermediates) and its private key. Both empty: the collector's own certificate.
struct SiteCertificateFiles {
  std::string certificate;
  std::string key;

  bool configured() const { return !certificate.empty() || !key.empty(); }
};

/// A checked site certificate, ready to serve.
struct SiteCertificate {
  transport::SslContextPtr context;
  std::string sha256;     ///< of the leaf's DER, lowercase hex
  std::string subject;    ///< the leaf's subject, one line
  std::string not_after;  ///< RFC 3339
};

/// Reads both files and checks them: readable, the key not readable by others, the leaf
/// within its validity dates now, the key matching the leaf. Every refusal names the file and
/// what to do.
Result<SiteCertificate> load_site_certificate(const SiteCertificateFiles& files);

}  // namespace triage::collector
