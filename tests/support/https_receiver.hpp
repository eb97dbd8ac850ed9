#pragma once
// A webhook receiver for integration tests: a real HTTPS server on 127.0.0.1 (the repo's
// transport server on its own thread) with a certificate from a test CA, recording every
// request and answering with a status the test chooses. Stop and start it again on the same
// port to play a receiver that is down.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace triage::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  int answered = 0;  ///< the status the receiver answered
};

class HttpsReceiver {
 public:
  /// Creates a test CA and a server certificate for 127.0.0.1; writes the CA to `ca_file`.
  explicit HttpsReceiver(const std::filesystem::path& ca_file);
  ~HttpsReceiver();
  HttpsReceiver(const HttpsReceiver&) = delete;
  HttpsReceiver& operator=(const HttpsReceiver&) = delete;

  /// Listens on `port` (0: any free one, chosen on the first start).
  void start(std::uint16_t port = 0);
  /// Closes the port and every connection: the receiver is down.
  void stop();
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const;

  /// The status answered from now on.
  void set_status(int status) { status_ = status; }
  std::vector<ReceivedRequest> requests() const;
  std::size_t request_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<int> status_{200};
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
};

}  // namespace triage::testing
