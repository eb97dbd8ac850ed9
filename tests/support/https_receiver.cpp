#include "tests/support/https_receiver.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <future>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/util/files.hpp"

namespace triage::testing {

namespace http = transport::http;

namespace {

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message);
  return std::move(*r);
}

class RecordingApp final : public transport::ServerApplication {
 public:
  using Record = std::function<int(ReceivedRequest)>;
  explicit RecordingApp(Record record) : record_(std::move(record)) {}

  void handle_http(transport::HttpRequest request, const transport::PeerIdentity&,
                   transport::Respond respond) override {
    ReceivedRequest r;
    r.method = std::string(request.method_string());
    r.target = std::string(request.target());
    for (const auto& field : request) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      r.headers[name] = std::string(field.value());
    }
    r.body = request.body();
    const int status = record_(std::move(r));
    transport::HttpResponse res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "text/plain");
    res.body() = status < 300 ? "ok" : "not now";
    res.prepare_payload();
    respond(std::move(res));
  }

  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity&,
                        transport::Decide decide) override {
    transport::UpgradeDecision d;
    d.refusal = transport::HttpResponse{http::status::not_found, 11};
    d.refusal.prepare_payload();
    decide(std::move(d));
  }

 private:
  Record record_;
};

}  // namespace

struct HttpsReceiver::Impl {
  transport::SslContextPtr tls;
  std::unique_ptr<RecordingApp> app;
  std::unique_ptr<boost::asio::io_context> ioc;
  std::unique_ptr<transport::Server> server;
  std::thread thread;
};

HttpsReceiver::HttpsReceiver(const std::filesystem::path& ca_file) : impl_(new Impl) {
  auto ca_key = must(pki::generate_p256_key(), "test CA key");
  auto ca = must(pki::make_ca_certificate(ca_key.get(), "webhook test CA", std::chrono::hours(24)),
                 "test CA");
  auto key = must(pki::generate_p256_key(), "receiver key");
  auto cert =
      must(pki::issue_server_certificate(ca.get(), ca_key.get(), key.get(), "localhost",
                                         {"localhost"}, {"127.0.0.1"}, std::chrono::hours(24)),
           "receiver certificate");
  const auto ca_pem = must(pki::certificate_to_pem(ca.get()), "CA PEM");
  const auto chain = must(pki::certificate_to_pem(cert.get()), "certificate PEM") + ca_pem;
  const auto key_pem = must(pki::private_key_to_pem(key.get()), "key PEM");
  if (auto r = write_file_atomic(ca_file, ca_pem, 0644); !r) {
    throw std::runtime_error("writing " + ca_file.string() + ": " + r.error().message);
  }
  impl_->tls =
      must(transport::make_server_tls_context({chain, key_pem, ca_pem, nullptr}), "receiver TLS");
  impl_->app = std::make_unique<RecordingApp>([this](ReceivedRequest r) {
    std::lock_guard lock(mutex_);
    r.answered = status_.load();
    requests_.push_back(std::move(r));
    return requests_.back().answered;
  });
}

HttpsReceiver::~HttpsReceiver() { stop(); }

void HttpsReceiver::start(std::uint16_t port) {
  stop();
  if (port == 0) port = port_;
  impl_->ioc = std::make_unique<boost::asio::io_context>();
  transport::ServerOptions options;
  options.endpoint = {boost::asio::ip::make_address("127.0.0.1"), port};
  impl_->server =
      std::make_unique<transport::Server>(*impl_->ioc, *impl_->tls, *impl_->app, options);
  if (auto r = impl_->server->start(); !r) throw std::runtime_error(r.error().message);
  port_ = impl_->server->port();
  impl_->thread = std::thread([ioc = impl_->ioc.get()] { ioc->run(); });
}

void HttpsReceiver::stop() {
  if (!impl_->server) return;
  impl_->server->stop();
  // The server closes its port on the I/O thread: wait for that (the one thread runs handlers
  // in order) before stopping it, so the port refuses connections from now on.
  std::promise<void> closed;
  boost::asio::post(*impl_->ioc, [&closed] { closed.set_value(); });
  closed.get_future().wait_for(std::chrono::seconds(5));
  impl_->ioc->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->server.reset();
  impl_->ioc.reset();  // closes every socket still open
}

std::string HttpsReceiver::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<ReceivedRequest> HttpsReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t HttpsReceiver::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

}  // namespace triage::testing
