// The WebSocket session (server role) against a peer over beast::test::stream: the hello
// deadline, the message size limit, binary frames only, frames queued before a close, and
// back-pressure from the send queue. No sockets; every wait polls with a deadline.

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/websocket_test_pair.hpp"

using namespace std::chrono_literals;
using namespace triage;

namespace {

// What the application saw, kept by the test (the handler belongs to the session).
struct Seen {
  // Weak, as the handler contract asks: the session must not outlive the pair's event loop.
  std::weak_ptr<transport::WebSocketConnection> connection;
  std::shared_ptr<transport::WebSocketConnection> live() const { return connection.lock(); }
  std::vector<std::string> messages;
  /// Bytes the session had written to the peer when each message reached the application.
  std::vector<std::size_t> written_at_message;
  std::vector<std::string> closes;
  std::function<void(std::string_view)> on_message;
};

class SeenHandler final : public transport::WebSocketHandler {
 public:
  explicit SeenHandler(Seen& seen) : seen_(seen) {}
  void on_open(const std::shared_ptr<transport::WebSocketConnection>& connection) override {
    seen_.connection = connection;
  }
  void on_message(std::string_view frame) override {
    seen_.messages.emplace_back(frame);
    if (seen_.on_message) seen_.on_message(frame);
  }
  void on_close(std::string_view reason) override { seen_.closes.emplace_back(reason); }

 private:
  Seen& seen_;
};

}  // namespace

TEST_CASE("a WebSocket session not authenticated by its deadline is closed with 1008") {
  Seen seen;
  std::vector<std::string> refused;
  transport::WebSocketLimits limits;
  limits.authentication_timeout = 50ms;
  limits.authentication_deadline = std::chrono::steady_clock::now() + 50ms;
  limits.on_refused = [&](std::string_view reason) { refused.emplace_back(reason); };
  testing::WebSocketTestPair pair(std::make_unique<SeenHandler>(seen), limits);

  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  CHECK(pair.close_code() == 1008);
  CHECK(pair.close_reason() == "no hello within 50 ms of the TLS handshake");
  CHECK(refused == std::vector<std::string>{"authentication_timeout"});
  REQUIRE(pair.run_until([&] { return !seen.closes.empty(); }));
  CHECK(seen.closes.size() == 1);
}

TEST_CASE(
    "a WebSocket message over the size limit closes with 1009 and never reaches the application") {
  Seen seen;
  transport::WebSocketLimits limits;
  limits.max_message_bytes = 1024;
  testing::WebSocketTestPair pair(std::make_unique<SeenHandler>(seen), limits);
  pair.send(std::string(1024, 'a'));
  pair.send(std::string(1025, 'b'));
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  CHECK(pair.close_code() == 1009);
  CHECK(pair.close_reason() == "message too big");
  REQUIRE(seen.messages.size() == 1);
  CHECK(seen.messages[0].size() == 1024);
}

TEST_CASE("a WebSocket session takes binary frames only") {
  Seen seen;
  testing::WebSocketTestPair pair(std::make_unique<SeenHandler>(seen));
  pair.send("{\"hello\": 1}", /*text=*/true);
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  CHECK(pair.close_code() == 1008);
  CHECK(pair.close_reason() == "binary frames only");
  CHECK(seen.messages.empty());
}

TEST_CASE("frames queued before a WebSocket close reach the peer before the close frame") {
  Seen seen;
  seen.on_message = [&](std::string_view) {
    seen.live()->send("refusal");
    seen.live()->close(transport::CloseCode::kRevoked, "device was revoked");
  };
  testing::WebSocketTestPair pair(std::make_unique<SeenHandler>(seen));
  pair.send("hello");
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  CHECK(pair.received() == std::vector<std::string>{"refusal"});
  CHECK(pair.close_code() == 4003);
  CHECK(pair.close_reason() == "device was revoked");
  REQUIRE(pair.run_until([&] { return seen.closes.size() == 1; }));
  CHECK(seen.closes[0] == "closed locally (4003 device was revoked)");
}

TEST_CASE("a WebSocket session whose peer closes tells the application once") {
  Seen seen;
  testing::WebSocketTestPair pair(std::make_unique<SeenHandler>(seen));
  REQUIRE(pair.run_until([&] { return !seen.connection.expired(); }));
  const auto connection = seen.live();  // goes before the pair
  pair.close(1000);
  REQUIRE(pair.run_until([&] { return !seen.closes.empty(); }));
  CHECK(seen.closes == std::vector<std::string>{"closed by peer (1000 )"});
  CHECK_FALSE(connection->send("late"));
}

TEST_CASE("a backlogged send queue pauses reading instead of dropping a frame") {
  // Each answer is far over the pause threshold and the session writes 512 bytes per turn:
  // the peer's next message must wait until the answer has gone out, and no answer is lost.
  constexpr std::size_t kAnswer = 64 * 1024;
  Seen seen;
  transport::WebSocketLimits limits;
  limits.send_queue_pause_bytes = 1024;
  std::vector<bool> accepted;
  testing::WebSocketTestPair* pair_ptr = nullptr;
  seen.on_message = [&](std::string_view frame) {
    seen.written_at_message.push_back(pair_ptr->bytes_to_peer());
    accepted.push_back(seen.live()->send(std::string(kAnswer, frame[0])));
  };
  testing::WebSocketTestPair pair(std::make_unique<SeenHandler>(seen), limits, 512);
  pair_ptr = &pair;
  pair.send("a");
  pair.send("b");
  pair.send("c");
  REQUIRE(pair.run_until([&] { return pair.received().size() == 3; }));
  CHECK(accepted == std::vector<bool>{true, true, true});
  REQUIRE(seen.written_at_message.size() == 3);
  // "b" and "c" were read only once the answer before them had been written out.
  CHECK(seen.written_at_message[1] >= kAnswer);
  CHECK(seen.written_at_message[2] >= 2 * kAnswer);
  CHECK(pair.received()[2] == std::string(kAnswer, 'c'));
  CHECK_FALSE(pair.peer_closed());
}

TEST_CASE("a WebSocket send over the hard send-queue bound is refused") {
  Seen seen;
  transport::WebSocketLimits limits;
  limits.send_queue_pause_bytes = 1024;
  limits.max_send_queue_bytes = 4096;
  testing::WebSocketTestPair pair(std::make_unique<SeenHandler>(seen), limits);
  REQUIRE(pair.run_until([&] { return !seen.connection.expired(); }));
  CHECK_FALSE(seen.live()->send(std::string(4097, 'x')));
  CHECK(seen.live()->send(std::string(4096, 'y')));
  REQUIRE(pair.run_until([&] { return pair.received().size() == 1; }));
}
