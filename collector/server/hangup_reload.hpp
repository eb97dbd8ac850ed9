#pragma once
// SIGHUP for `serve`: the staff listener's site certificate and the log levels are read again,
// without a restart and without dropping a connection. What is refused is logged and changes
// nothing: the collector keeps serving the certificate and levels it had.

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "collector/server/serve.hpp"
#include "collector/server/site_certificate.hpp"
#include "shared/transport/tls_context_slot.hpp"

namespace triage::collector {

class HangupReload {
 public:
  /// `staff_tls` is the staff listener's slot when it serves the site certificate of `files`
  /// (whose current fingerprint is `serving_sha256`), else null: then only the levels reload.
  HangupReload(boost::asio::io_context& ioc, SiteCertificateFiles files,
               std::shared_ptr<transport::TlsContextSlot> staff_tls, std::string serving_sha256,
               ServeReload sources);

  /// Handles SIGHUP from now on (before this, SIGHUP ends the process as usual).
  void start();
  /// Stops handling it; the io_context may then run out.
  void stop();
  /// One reload, as a SIGHUP makes it. On the caller's thread.
  void reload();

 private:
  void wait();
  void reload_certificate();
  void reload_log_levels();

  boost::asio::signal_set signals_;
  SiteCertificateFiles files_;
  std::shared_ptr<transport::TlsContextSlot> staff_tls_;
  std::string serving_sha256_;
  ServeReload sources_;
};

}  // namespace triage::collector
