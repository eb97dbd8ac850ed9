// TLS session resumption between the agent's WebSocket client and the collector's server: a
// reconnecting client resumes from its ticket and the server still knows which device
// certificate the session verified; the ticket keys survive a restart through their file; a
// ticket sealed by other keys (another node, a lost file) falls back to a full handshake; the
// key file rotates, stays private and is replaced when unreadable. Real TLS on 127.0.0.1.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <openssl/x509.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/peer_tls.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/session_ticket_keys.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/tls_session_slot.hpp"
#include "shared/transport/websocket_client.hpp"
#include "shared/util/files.hpp"
#include "tests/shared/transport/loopback_tls_server.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
using namespace triage;
using testing::eventually;
using testing::must;

namespace {

// A CA, the server's certificate for 127.0.0.1 and one device's certificate, as enrollment
// issues them.
struct TestPki {
  TestPki() {
    auto ca_key = must(pki::generate_p256_key());
    auto ca = must(pki::make_ca_certificate(ca_key.get(), "resumption test CA", 24h));
    auto server_key = must(pki::generate_p256_key());
    auto server = must(pki::issue_server_certificate(
        ca.get(), ca_key.get(), server_key.get(), "localhost", {"localhost"}, {"127.0.0.1"}, 24h));
    ca_pem = must(pki::certificate_to_pem(ca.get()));
    server_chain_pem = must(pki::certificate_to_pem(server.get())) + ca_pem;
    server_key_pem = must(pki::private_key_to_pem(server_key.get()));
    auto device_key = must(pki::generate_p256_key());
    auto device = must(pki::issue_device_certificate(
        ca.get(), ca_key.get(), must(pki::make_csr_pem(device_key.get(), "ignored")), "device-1",
        24h));
    device_pem = must(pki::certificate_to_pem(device.get()));
    device_key_pem = must(pki::private_key_to_pem(device_key.get()));
    device_sha256 = must(pki::certificate_sha256(device.get()));
  }
  std::string ca_pem, server_chain_pem, server_key_pem, device_pem, device_key_pem, device_sha256;
};

class AcceptingHandler final : public transport::WebSocketHandler {
 public:
  void on_open(const std::shared_ptr<transport::WebSocketConnection>&) override {}
  void on_message(std::string_view) override {}
  void on_close(std::string_view) override {}
};

// Accepts every upgrade and remembers the peer identity each one came with.
class RecordingApp final : public transport::ServerApplication {
 public:
  void handle_http(transport::HttpRequest, const transport::PeerIdentity&,
                   transport::Respond respond) override {
    respond(transport::HttpResponse{transport::http::status::not_found, 11});
  }
  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity& peer,
                        transport::Decide decide) override {
    {
      std::lock_guard lock(mutex_);
      peers_.push_back(peer);
    }
    transport::UpgradeDecision decision;
    decision.handler = std::make_unique<AcceptingHandler>();
    decide(std::move(decision));
  }
  std::vector<transport::PeerIdentity> peers() {
    std::lock_guard lock(mutex_);
    return peers_;
  }

 private:
  std::mutex mutex_;
  std::vector<transport::PeerIdentity> peers_;
};

// The collector's side: the server context with (or without) ticket keys, on a free port.
class ResumingServer {
 public:
  ResumingServer(const TestPki& pki, std::shared_ptr<transport::SessionTicketKeys> keys) {
    tls_ = must(transport::make_server_tls_context(
        {pki.server_chain_pem, pki.server_key_pem, pki.ca_pem, std::move(keys)}));
    transport::ServerOptions options;
    options.endpoint = {boost::asio::ip::make_address("127.0.0.1"), 0};
    options.on_tls_handshake = [this](bool resumed) {
      std::lock_guard lock(mutex_);
      resumed_handshakes_ += resumed ? 1 : 0;
    };
    server_ = std::make_unique<transport::Server>(ioc_, *tls_, app, options);
    if (auto r = server_->start(); !r) throw std::runtime_error(r.error().message);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~ResumingServer() {
    ioc_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_->port(); }
  int resumed_handshakes() {
    std::lock_guard lock(mutex_);
    return resumed_handshakes_;
  }

  RecordingApp app;

 private:
  boost::asio::io_context ioc_{1};
  transport::SslContextPtr tls_;
  std::unique_ptr<transport::Server> server_;
  std::thread thread_;
  std::mutex mutex_;
  int resumed_handshakes_ = 0;
};

// The agent's side: one connection, opened then closed, optionally through a session slot.
class DeviceClient final : public transport::WebSocketHandler {
 public:
  /// `max_version`: the highest TLS version offered (0: the context's default, TLS 1.3).
  explicit DeviceClient(const TestPki& pki, int max_version = 0)
      : tls_(must(
            transport::make_client_tls_context({pki.ca_pem, pki.device_pem, pki.device_key_pem}))) {
    if (max_version != 0) SSL_CTX_set_max_proto_version(tls_->native_handle(), max_version);
  }

  /// Connects, waits for the upgrade, closes. Returns whether the connection opened.
  bool connect_once(std::uint16_t port, std::shared_ptr<transport::TlsSessionSlot> slot) {
    const bool opened = open(port, std::move(slot));
    // The ticket comes after the handshake, before the upgrade's answer: it is stored now.
    // (Closed whether or not it opened, so that a failed attempt ends too.)
    boost::asio::post(*ioc_, [this] { connection_->close(transport::CloseCode::kNormal, "done"); });
    wait_closed();
    return opened;
  }

  /// Connects and waits for the upgrade; the connection stays open. Returns whether it opened.
  bool open(std::uint16_t port, std::shared_ptr<transport::TlsSessionSlot> slot) {
    ioc_ = std::make_unique<boost::asio::io_context>();
    opened_ = std::promise<bool>();
    answered_ = false;
    auto result = opened_.get_future();
    transport::WebSocketClientOptions options;
    options.host = "127.0.0.1";
    options.port = std::to_string(port);
    options.session_slot = std::move(slot);
    connection_ = transport::connect_websocket(*ioc_, *tls_, *this, options);
    io_ = std::thread([this] { ioc_->run(); });
    return result.wait_for(20s) == std::future_status::ready && result.get();
  }

  /// Waits until the connection has ended (closed here, or dropped by the server).
  void wait_closed() {
    io_.join();
    connection_.reset();
  }

  /// Cuts the open connection without a TLS close_notify, as when the collector is killed
  /// under it (the client's end then also frees its TLS state without one).
  void drop() {
    ioc_->stop();
    io_.join();
    connection_.reset();
    ioc_.reset();  // the connection's last owners, its pending operations, go with it
  }

  void on_open(const std::shared_ptr<transport::WebSocketConnection>&) override {
    if (!answered_) opened_.set_value(true);
    answered_ = true;
  }
  void on_message(std::string_view) override {}
  void on_close(std::string_view) override {
    if (!answered_) opened_.set_value(false);
    answered_ = true;
  }

 private:
  transport::SslContextPtr tls_;
  std::shared_ptr<transport::WebSocketConnection> connection_;
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::thread io_;
  std::promise<bool> opened_;
  bool answered_ = false;
};

}  // namespace

TEST_CASE("a reconnecting client resumes its TLS session and keeps its device identity",
          "[integration]") {
  TestPki pki;
  testing::TempDir dir;
  testing::ManualClock clock;
  auto keys = must(transport::SessionTicketKeys::open(dir.path() / "keys.json", clock));
  ResumingServer server(pki, keys);
  DeviceClient client(pki);
  auto slot = std::make_shared<transport::TlsSessionSlot>();

  REQUIRE(client.connect_once(server.port(), slot));
  CHECK(slot->holds_ticket());
  REQUIRE(client.connect_once(server.port(), slot));
  // Without a slot the same client makes a full handshake.
  REQUIRE(client.connect_once(server.port(), nullptr));

  auto peers = server.app.peers();
  REQUIRE(peers.size() == 3);
  CHECK_FALSE(peers[0].tls_session_resumed);
  CHECK(peers[1].tls_session_resumed);
  CHECK_FALSE(peers[2].tls_session_resumed);
  for (const auto& peer : peers) {
    // The resumed session still names the certificate its full handshake verified.
    CHECK(peer.has_verified_certificate);
    CHECK(peer.certificate_sha256 == pki.device_sha256);
    CHECK(peer.certificate_common_name == "device-1");
  }
  CHECK(server.resumed_handshakes() == 1);
}

TEST_CASE("TLS 1.2 sessions are never resumed (no fresh key exchange)", "[integration]") {
  TestPki pki;
  testing::TempDir dir;
  testing::ManualClock clock;
  ResumingServer server(pki,
                        must(transport::SessionTicketKeys::open(dir.path() / "k.json", clock)));
  DeviceClient client(pki, TLS1_2_VERSION);
  auto slot = std::make_shared<transport::TlsSessionSlot>();
  REQUIRE(client.connect_once(server.port(), slot));
  REQUIRE(client.connect_once(server.port(), slot));
  auto peers = server.app.peers();
  REQUIRE(peers.size() == 2);
  CHECK_FALSE(peers[1].tls_session_resumed);
  CHECK(peers[1].has_verified_certificate);
  CHECK(server.resumed_handshakes() == 0);
}

TEST_CASE("tickets resume after a restart with the same key file, not with other keys",
          "[integration]") {
  TestPki pki;
  testing::TempDir dir;
  testing::ManualClock clock;
  const auto file = dir.path() / "keys.json";
  DeviceClient client(pki);
  auto slot = std::make_shared<transport::TlsSessionSlot>();
  {
    // The connection is cut (as when the collector is killed): it ends without a
    // close_notify, which must not spoil the ticket the client holds.
    ResumingServer before(pki, must(transport::SessionTicketKeys::open(file, clock)));
    REQUIRE(client.open(before.port(), slot));
    client.drop();
  }
  REQUIRE(slot->holds_ticket());
  for (int restart = 1; restart <= 2; ++restart) {
    // The restarted collector reads the same keys: the ticket opens, and the resumed session
    // is cut by the next kill again without spoiling what the client holds for the next time.
    ResumingServer after(pki, must(transport::SessionTicketKeys::open(file, clock)));
    REQUIRE(client.open(after.port(), slot));
    auto peers = after.app.peers();
    REQUIRE(peers.size() == 1);
    CHECK(peers[0].tls_session_resumed);
    CHECK(peers[0].certificate_sha256 == pki.device_sha256);
    client.drop();
  }
  {
    // Another node's keys (or a lost file): the ticket is ignored and a full handshake
    // verifies the certificate as always.
    ResumingServer other(
        pki, must(transport::SessionTicketKeys::open(dir.path() / "other.json", clock)));
    REQUIRE(client.connect_once(other.port(), slot));
    auto peers = other.app.peers();
    REQUIRE(peers.size() == 1);
    CHECK_FALSE(peers[0].tls_session_resumed);
    CHECK(peers[0].has_verified_certificate);
    CHECK(peers[0].certificate_sha256 == pki.device_sha256);
  }
  {
    // No keys at all: no ticket is issued, so the slot stays empty after the handshake.
    auto fresh = std::make_shared<transport::TlsSessionSlot>();
    ResumingServer without(pki, nullptr);
    REQUIRE(client.connect_once(without.port(), fresh));
    CHECK_FALSE(fresh->holds_ticket());
  }
}

TEST_CASE("the ticket key file is private, rotates daily and drops keys past their tickets",
          "[transport]") {
  testing::TempDir dir;
  testing::ManualClock clock;
  const auto file = dir.path() / "keys.json";
  auto keys = must(transport::SessionTicketKeys::open(file, clock));
  REQUIRE(std::filesystem::exists(file));
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  const auto first = keys->encryption_key();
  CHECK(keys->size() == 1);
  auto opened = keys->decryption_key(first.name.data());
  REQUIRE(opened);
  CHECK(opened->second);  // the current key

  clock.advance(25h);
  const auto second = keys->encryption_key();
  CHECK(second.name != first.name);
  CHECK(keys->size() == 2);
  opened = keys->decryption_key(first.name.data());
  REQUIRE(opened);              // its tickets still open...
  CHECK_FALSE(opened->second);  // ...and are replaced by fresh ones
  // The rotation is on disk: a restart knows both keys.
  auto reread = must(transport::SessionTicketKeys::open(file, clock));
  CHECK(reread->size() == 2);
  CHECK(reread->encryption_key().name == second.name);

  // Eight days on, nothing the first key sealed can still be valid.
  clock.advance(8 * 24h);
  CHECK_FALSE(keys->decryption_key(first.name.data()));
  auto later = must(transport::SessionTicketKeys::open(file, clock));
  CHECK_FALSE(later->decryption_key(first.name.data()));
}

TEST_CASE("an unreadable ticket key file is replaced, with the reason", "[transport]") {
  testing::TempDir dir;
  testing::ManualClock clock;
  const auto file = dir.path() / "keys.json";
  for (const std::string& content :
       {std::string("not json"), std::string("{\"keys\": []}"),
        std::string(
            R"({"keys": [{"name": "00", "hmac_key": "", "aes_key": "", "created_unix": 1}]})")}) {
    REQUIRE(write_file_atomic(file, content, 0600));
    std::string reason;
    auto keys = transport::SessionTicketKeys::open(file, clock, &reason);
    REQUIRE(keys);
    CHECK((*keys)->size() == 1);
    CHECK_THAT(reason, Catch::Contains("keys.json"));
    std::string reason_again;
    REQUIRE(transport::SessionTicketKeys::open(file, clock, &reason_again));
    CHECK(reason_again.empty());  // what replaced it reads back
  }
}

TEST_CASE("a ticket key file others could read is not used", "[transport]") {
  testing::TempDir dir;
  testing::ManualClock clock;
  const auto file = dir.path() / "keys.json";
  const auto first = must(transport::SessionTicketKeys::open(file, clock))->encryption_key();
  std::filesystem::permissions(
      file, std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      std::filesystem::perm_options::add);
  std::string reason;
  auto keys = must(transport::SessionTicketKeys::open(file, clock, &reason));
  CHECK_THAT(reason, Catch::Contains("readable by group or others"));
  CHECK(keys->size() == 1);
  CHECK_FALSE(keys->decryption_key(first.name.data()));  // the exposed key is gone
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
}

TEST_CASE("a certificate counts as verified only within its validity dates", "[transport]") {
  auto ca_key = must(pki::generate_p256_key());
  auto ca = must(pki::make_ca_certificate(ca_key.get(), "dates CA", 24h));
  const std::time_t now = std::time(nullptr);
  CHECK(transport::certificate_current(ca.get(), now));
  CHECK_FALSE(transport::certificate_current(ca.get(), now + 2 * 24 * 3600));
  CHECK_FALSE(transport::certificate_current(ca.get(), now - 2 * 24 * 3600));
  // Past its notAfter (a session resumed from a ticket older than that): not current.
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(ca.get()), -60) != nullptr);
  CHECK_FALSE(transport::certificate_current(ca.get(), now));
}
