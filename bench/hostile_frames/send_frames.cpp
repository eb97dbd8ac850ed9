// Plays enrolled devices turned hostile: each sends, on its own connection and all at once,
// frames of a snapshot holding two million empty packages (4 MiB, within the default frame
// limit), then waits for the collector's answer to each. Run by run.sh, which measures the
// collector's memory around it. Not a test.
//
//   triage-bench-hostile-frames --port P --ca CA.pem --frames N STATE_DIR...
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "shared/protocol/codec.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/websocket_client.hpp"
#include "shared/util/files.hpp"
#include "triage/v1/envelope.pb.h"

namespace {

using namespace triage;

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}

std::string field(int number, const std::string& bytes) {
  return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(bytes.size()) + bytes;
}

std::string empty_packages_frame(std::uint64_t seq) {
  std::string packages;
  for (int i = 0; i < 2'000'000; ++i) packages += std::string("\x0a\x00", 2);
  const std::string snapshot = field(v1::Snapshot::kSoftwareFieldNumber, packages);
  const std::string report = field(v1::SnapshotReport::kSnapshotFieldNumber, snapshot);
  return varint(1 << 3) + varint(seq) + field(v1::AgentMessage::kSnapshotFieldNumber, report);
}

class Device final : public transport::WebSocketHandler {
 public:
  void on_open(const std::shared_ptr<transport::WebSocketConnection>&) override { opened = true; }
  void on_message(std::string_view frame) override {
    auto m = protocol::decode_collector_message(frame);
    if (!m) return;
    if (m->has_hello_ack()) hello_acked = true;
    for (const auto& e : m->ack().entries()) {
      ++answers;
      last_answer = v1::Ack::Status_Name(e.status()) + " " + e.reason();
    }
  }
  void on_close(std::string_view reason) override {
    closed = true;
    close_reason = std::string(reason);
  }

  template <class Fn>
  bool run_until(Fn&& done, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(20));
    }
    return done();
  }

  boost::asio::io_context ioc;
  std::shared_ptr<transport::WebSocketConnection> connection;
  bool opened = false, closed = false, hello_acked = false;
  int answers = 0;
  std::string last_answer, close_reason;
};

}  // namespace

int main(int argc, char** argv) {
  std::string port, ca;
  int frames = 3;
  std::vector<std::string> states;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      port = argv[++i];
    } else if (a == "--ca" && i + 1 < argc) {
      ca = argv[++i];
    } else if (a == "--frames" && i + 1 < argc) {
      frames = std::atoi(argv[++i]);
    } else {
      states.push_back(a);
    }
  }
  if (port.empty() || ca.empty() || states.empty()) {
    std::fprintf(stderr, "usage: %s --port P --ca CA.pem [--frames N] STATE_DIR...\n", argv[0]);
    return 2;
  }
  const auto ca_pem = read_file(ca).value();
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  std::vector<std::string> outcomes(states.size());
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t d = 0; d < states.size(); ++d) {
    threads.emplace_back([&, d] {
      const std::filesystem::path dir = states[d];
      auto tls = transport::make_client_tls_context(
          {ca_pem, read_file(dir / "device.pem").value(), read_file(dir / "device.key").value()});
      if (!tls) {
        outcomes[d] = "tls: " + tls.error().message;
        return;
      }
      Device device;
      transport::WebSocketClientOptions options;
      options.host = "127.0.0.1";
      options.port = port;
      options.limits.max_message_bytes = 64 * 1024 * 1024;
      options.limits.max_send_queue_bytes = 256 * 1024 * 1024;
      device.connection = transport::connect_websocket(device.ioc, **tls, device, options);
      device.run_until([&] { return device.opened || device.closed; }, std::chrono::seconds(30));
      v1::AgentMessage hello;
      hello.mutable_hello()->set_protocol_min(1);
      hello.mutable_hello()->set_protocol_max(1);
      device.connection->send(protocol::encode(hello));
      device.run_until([&] { return device.hello_acked || device.closed; },
                       std::chrono::seconds(30));
      for (int seq = 1; seq <= frames; ++seq) {
        device.connection->send(empty_packages_frame(static_cast<std::uint64_t>(seq)));
      }
      device.run_until([&] { return device.answers >= frames || device.closed; },
                       std::chrono::seconds(300));
      answered += device.answers;
      outcomes[d] = std::to_string(device.answers) + " answers, last: " + device.last_answer +
                    (device.closed ? " (closed: " + device.close_reason + ")" : "");
      device.connection->close(transport::CloseCode::kNormal, "done");
      device.run_until([&] { return device.closed; }, std::chrono::seconds(5));
    });
  }
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t d = 0; d < states.size(); ++d) {
    std::printf("device %zu: %s\n", d, outcomes[d].c_str());
  }
  std::printf("%d frames of %zu bytes sent on %zu connections, %d answered, %.1f s\n",
              frames * static_cast<int>(states.size()), empty_packages_frame(1).size(),
              states.size(), answered.load(), seconds);
  return 0;
}
