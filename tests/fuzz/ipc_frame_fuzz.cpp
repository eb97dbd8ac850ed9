// The agent's local IPC socket (agent/ipc/): any local user may connect and send bytes. The
// frame decoder takes them in pieces as they arrive, and each complete message goes where the
// daemon sends it (a help submission) and the client reads it (a progress message).
// Input: a byte choosing the read size, then the bytes as they come off the socket.

#include "agent/ipc/ipc_frame.hpp"
#include "agent/service/help_request.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const std::size_t chunk = std::size_t{in.byte()} + 1;
  std::string_view bytes = in.rest();
  agent::ipc::FrameDecoder decoder;
  while (true) {
    auto part = bytes.substr(0, chunk);
    bytes.remove_prefix(part.size());
    decoder.feed(part);
    while (true) {
      auto message = decoder.next();
      if (!message) return 0;  // the daemon closes the connection
      if (!*message) break;
      (void)agent::parse_help_submission(**message, 1000, "user");
      (void)agent::describe_progress(agent::progress_from_json(**message));
    }
    if (bytes.empty()) return 0;
  }
}
