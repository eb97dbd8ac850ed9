// The local IPC client on Windows: the agent's named pipe, opened for identification only (the
// agent may learn who we are, not act as us), checked to be owned by SYSTEM or Administrators,
// then overlapped reads and writes against the deadline.
#include "shared/util/windows/windows_api.hpp"

#include <algorithm>

#include "agent/ipc/ipc_client.hpp"
#include "agent/ipc/ipc_frame.hpp"
#include "agent/ipc/windows/pipe_name.hpp"
#include "agent/ipc/windows/pipe_security.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/wide_string.hpp"

namespace triage::agent::ipc {

namespace {

using Clock = std::chrono::steady_clock;

DWORD remaining_ms(Clock::time_point end) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
  return left.count() > 0 ? static_cast<DWORD>(left.count()) : 0;
}

enum class IoOutcome { kDone, kClosed, kTimedOut, kFailed };

/// One overlapped read or write, waited for until `end`; cancelled when the deadline passes.
IoOutcome overlapped_io(HANDLE pipe, HANDLE event, bool write, void* data, DWORD size, DWORD& done,
                        Clock::time_point end) {
  OVERLAPPED overlapped{};
  overlapped.hEvent = event;
  ::ResetEvent(event);
  const BOOL ok = write ? ::WriteFile(pipe, data, size, nullptr, &overlapped)
                        : ::ReadFile(pipe, data, size, nullptr, &overlapped);
  if (!ok && ::GetLastError() != ERROR_IO_PENDING) {
    return ::GetLastError() == ERROR_BROKEN_PIPE ? IoOutcome::kClosed : IoOutcome::kFailed;
  }
  if (::WaitForSingleObject(event, remaining_ms(end)) != WAIT_OBJECT_0) {
    ::CancelIoEx(pipe, &overlapped);
    ::GetOverlappedResult(pipe, &overlapped, &done, TRUE);
    return IoOutcome::kTimedOut;
  }
  if (!::GetOverlappedResult(pipe, &overlapped, &done, FALSE)) {
    const DWORD err = ::GetLastError();
    return err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED ? IoOutcome::kClosed
                                                                       : IoOutcome::kFailed;
  }
  return IoOutcome::kDone;
}

/// Opens the pipe, waiting while every instance is busy.
Result<UniqueHandle> open_pipe(const std::wstring& name, Clock::time_point end) {
  for (;;) {
    UniqueHandle pipe(::CreateFileW(
        name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr));
    if (pipe.valid()) return pipe;
    const DWORD err = ::GetLastError();
    if (err == ERROR_PIPE_BUSY && remaining_ms(end) > 0) {
      ::WaitNamedPipeW(name.c_str(), std::max<DWORD>(remaining_ms(end), 1));
      continue;
    }
    const auto code = err == ERROR_ACCESS_DENIED ? ErrorCode::kDenied
                      : (err == ERROR_FILE_NOT_FOUND || err == ERROR_PIPE_BUSY)
                          ? ErrorCode::kUnavailable
                          : ErrorCode::kFailed;
    return fail(code, narrow(name) + ": " + windows_error_text(err));
  }
}

}  // namespace

Result<void> ipc_call(const std::filesystem::path& socket_path, const nlohmann::json& request,
                      std::chrono::milliseconds first_reply,
                      const std::function<IpcNext(const nlohmann::json&)>& on_reply) {
  auto end = Clock::now() + first_reply;
  const std::wstring name = pipe_name_for(socket_path);
  auto pipe = open_pipe(name, end);
  if (!pipe) return tl::unexpected(pipe.error());
  if (auto owner = check_agent_pipe_owner(pipe->get()); !owner) {
    return tl::unexpected(owner.error());
  }
  UniqueHandle event(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!event.valid()) return fail(last_error_text("CreateEventW"));

  std::string frame = encode_frame(request);
  std::size_t sent = 0;
  while (sent < frame.size()) {
    DWORD n = 0;
    const auto outcome = overlapped_io(pipe->get(), event.get(), true, frame.data() + sent,
                                       static_cast<DWORD>(frame.size() - sent), n, end);
    if (outcome != IoOutcome::kDone) return fail("the agent did not take the request");
    sent += n;
  }
  FrameDecoder decoder;
  char buf[4096];
  for (;;) {
    DWORD n = 0;
    const auto outcome = overlapped_io(pipe->get(), event.get(), false, buf, sizeof buf, n, end);
    if (outcome == IoOutcome::kTimedOut) return {};  // the caller reports the last state it saw
    if (outcome == IoOutcome::kClosed) return {};
    if (outcome == IoOutcome::kFailed) return fail(last_error_text("waiting for the agent"));
    decoder.feed(std::string_view(buf, n));
    for (;;) {
      auto message = decoder.next();
      if (!message) return fail("the agent's reply: " + message.error().message);
      if (!*message) break;
      auto next = on_reply(**message);
      if (!next) return {};
      end = Clock::now() + *next;
    }
  }
}

}  // namespace triage::agent::ipc
