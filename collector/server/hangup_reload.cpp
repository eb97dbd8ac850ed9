#include "collector/server/hangup_reload.hpp"

#include <csignal>
#include <utility>

#include <spdlog/spdlog.h>

#include "collector/server/collector_config.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::collector {

namespace {

std::string describe(const LogLevels& levels) {
  std::string text = levels.level;
  for (const auto& [name, level] : levels.subsystems) text += ", " + name + " " + level;
  return text;
}

}  // namespace

HangupReload::HangupReload(boost::asio::io_context& ioc, SiteCertificateFiles files,
                           std::shared_ptr<transport::TlsContextSlot> staff_tls,
                           std::string serving_sha256, ServeReload sources)
    : signals_(ioc),
      files_(std::move(files)),
      staff_tls_(std::move(staff_tls)),
      serving_sha256_(std::move(serving_sha256)),
      sources_(std::move(sources)) {}

void HangupReload::start() {
  boost::system::error_code ec;
  signals_.add(SIGHUP, ec);
  if (ec) {
    spdlog::warn("SIGHUP cannot be handled ({}); reloading needs a restart", ec.message());
    return;
  }
  wait();
}

void HangupReload::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    spdlog::info("SIGHUP: reloading the site certificate and log levels");
    reload();
    wait();
  });
}

void HangupReload::stop() {
  boost::system::error_code ec;
  signals_.cancel(ec);
  signals_.clear(ec);
}

void HangupReload::reload() {
  reload_certificate();
  reload_log_levels();
}

void HangupReload::reload_certificate() {
  if (!staff_tls_) return;
  auto site = load_site_certificate(files_);
  if (!site) {
    spdlog::error("staff listener: the site certificate is refused, still serving sha256 {}: {}",
                  serving_sha256_, site.error().message);
    return;
  }
  staff_tls_->replace(site->context);
  spdlog::info(
      "staff listener: site certificate {} (sha256 {}, valid until {}) for new "
      "connections; sha256 {} before",
      site->subject, site->sha256, site->not_after, serving_sha256_);
  serving_sha256_ = site->sha256;
}

void HangupReload::reload_log_levels() {
  if (sources_.config_file.empty()) return;
  auto fresh = load_collector_config(sources_.config_file);
  if (!fresh) {
    spdlog::error("log levels unchanged: {}", fresh.error().message);
    return;
  }
  const LogLevels levels{
      sources_.log_level_flag.empty() ? fresh->log_level : sources_.log_level_flag,
      fresh->log_levels};
  if (auto applied = apply_log_levels(levels); !applied) {
    spdlog::error("log levels unchanged: {}", applied.error().message);
    return;
  }
  spdlog::info("log levels: {}", describe(levels));
}

}  // namespace triage::collector
