// The local IPC client on POSIX: a blocking Unix stream socket, poll() against the deadline.
#include "agent/ipc/ipc_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/ipc/ipc_frame.hpp"
#include "shared/util/unique_fd.hpp"

namespace triage::agent::ipc {

namespace {

int remaining_ms(std::chrono::steady_clock::time_point end) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

Result<void> ipc_call(const std::filesystem::path& socket_path, const nlohmann::json& request,
                      std::chrono::milliseconds first_reply,
                      const std::function<IpcNext(const nlohmann::json&)>& on_reply) {
  auto end = std::chrono::steady_clock::now() + first_reply;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.size() >= sizeof addr.sun_path) return fail(ErrorCode::kInvalid, "socket path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return fail(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    const auto code = (err == EACCES || err == EPERM) ? ErrorCode::kDenied
                      : (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR)
                          ? ErrorCode::kUnavailable
                          : ErrorCode::kFailed;
    return fail(code, path + ": " + std::strerror(err));
  }
  const std::string frame = encode_frame(request);
  std::size_t sent = 0;
  while (sent < frame.size()) {
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(end)) <= 0) return fail("the agent did not take the request");
    auto n = ::send(fd.get(), frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR && errno != EAGAIN) {
      return fail(std::string("sending to the agent: ") + std::strerror(errno));
    }
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  FrameDecoder decoder;
  char buf[4096];
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, remaining_ms(end));
    if (ready == 0) return {};  // deadline: the caller reports the last state it saw
    if (ready < 0) {
      if (errno == EINTR) continue;
      return fail(std::string("waiting for the agent: ") + std::strerror(errno));
    }
    auto n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {};
    decoder.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    for (;;) {
      auto message = decoder.next();
      if (!message) return fail("the agent's reply: " + message.error().message);
      if (!*message) break;
      auto next = on_reply(**message);
      if (!next) return {};
      end = std::chrono::steady_clock::now() + *next;
    }
  }
}

}  // namespace triage::agent::ipc
