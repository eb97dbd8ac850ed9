#pragma once
// A real Request Tracker 5 (Debian's request-tracker5 + rt5-standalone) for integration tests:
// its own site config, SQLite database, mail spool and caches in a temp dir (RT_SITE_CONFIG and
// RT_SITE_CONFIG_DIR point RT there, so /etc/request-tracker5 is never read and nothing is
// written under /var), listening on 127.0.0.1 only, stopped by PID. Outgoing mail is appended
// to an mbox file in the temp dir; none leaves the machine.
//
// Setting TRIAGE_SKIP_RT=1 makes rt_tests_skipped() true so developers can skip these tests.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace triage::testing {

/// True when TRIAGE_SKIP_RT is set to a non-empty value other than 0. (Without RT installed
/// the tests fail, naming the packages: installers/dev/install-deps.sh installs them.)
bool rt_tests_skipped();

struct RtAnswer {
  int status = 0;
  nlohmann::json body;  ///< discarded when not JSON
  std::string text;
};

class RtServer {
 public:
  /// Writes the config, initializes the database (rt-setup-database-5 --action init) and
  /// starts the server; throws when RT does not answer REST2 within a minute.
  RtServer();
  ~RtServer();
  RtServer(const RtServer&) = delete;
  RtServer& operator=(const RtServer&) = delete;

  /// "http://127.0.0.1:P" (no trailing slash).
  std::string url() const;
  std::uint16_t port() const { return port_; }
  const std::filesystem::path& root() const { return temp_.path(); }
  /// RT's root account (password "password" after init).
  static constexpr const char* kUser = "root";
  static constexpr const char* kPassword = "password";

  /// Starts rt-server on the same port and database and waits until REST2 answers.
  void start();
  /// Stops it by PID (SIGTERM; its workers exit with it) and waits until the port is closed.
  void stop();
  bool running() const { return process_ != nullptr; }

  /// A REST2 call as root ("/ticket/1", "/ticket", ...), body JSON when given.
  RtAnswer call(const std::string& method, const std::string& path,
                const std::optional<nlohmann::json>& body = std::nullopt) const;
  /// Creates a ticket in the General queue; its id.
  std::string create_ticket(const std::string& subject, const std::string& requester);

  /// How long database initialization and the first start took.
  std::chrono::milliseconds init_duration{0};
  std::chrono::milliseconds start_duration{0};

 private:
  bool answers() const;

  TempDir temp_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace triage::testing
