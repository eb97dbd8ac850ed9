// Output pipes for the process runner: overlapped named pipes, one instance each, checked to
// be connected to this process only.
#include "shared/util/windows/output_pipe.hpp"

#include <algorithm>
#include <atomic>
#include <cwchar>

#include "shared/util/windows/wide_string.hpp"

namespace triage {

Result<OutputPipe> make_output_pipe() {
  static std::atomic<unsigned long> counter{0};
  for (int attempt = 0; attempt < 16; ++attempt) {
    wchar_t name[128];
    std::swprintf(name, 128, L"\\\\.\\pipe\\triage-run-%lu-%lu-%llu", ::GetCurrentProcessId(),
                  ++counter, static_cast<unsigned long long>(::GetTickCount64()));
    // FIRST_PIPE_INSTANCE: a name someone else created first is never used.
    UniqueHandle read_end(::CreateNamedPipeW(
        name, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 0,
        64 * 1024, 0, nullptr));
    if (!read_end.valid()) {
      const DWORD err = ::GetLastError();
      if (err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY) continue;
      return fail("cannot create an output pipe: " + windows_error_text(err));
    }
    SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    UniqueHandle write_end(::CreateFileW(name, GENERIC_WRITE, 0, &inheritable, OPEN_EXISTING,
                                         FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!write_end.valid()) return fail(last_error_text("cannot open an output pipe"));
    // The pipe has one instance and this process is its client: nobody connected before us.
    ULONG client = 0;
    if (!::GetNamedPipeClientProcessId(read_end.get(), &client) ||
        client != ::GetCurrentProcessId()) {
      return fail("an output pipe was connected by another process");
    }
    // Already connected by the CreateFileW above; this only completes the server's side.
    if (!::ConnectNamedPipe(read_end.get(), nullptr) && ::GetLastError() != ERROR_PIPE_CONNECTED) {
      return fail(last_error_text("cannot connect an output pipe"));
    }
    return OutputPipe{std::move(read_end), std::move(write_end)};
  }
  return fail("cannot create an output pipe: every name tried was taken");
}

OutputReader::OutputReader(UniqueHandle pipe, OutputStream stream, std::size_t cap,
                           const OutputCallback& on_output, std::string& text, bool& truncated)
    : pipe_(std::move(pipe)),
      event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      stream_(stream),
      cap_(cap),
      on_output_(on_output),
      text_(text),
      truncated_(truncated) {
  if (!event_.valid() || !pipe_.valid()) open_ = false;
}

OutputReader::~OutputReader() { close(); }

void OutputReader::keep(DWORD n) {
  const std::size_t room = cap_ > text_.size() ? cap_ - text_.size() : 0;
  const std::size_t kept = std::min<std::size_t>(room, n);
  if (kept > 0) {
    text_.append(buffer_, kept);
    if (on_output_) on_output_(stream_, std::string_view(buffer_, kept));
  }
  if (kept < n) truncated_ = true;
}

void OutputReader::read() {
  while (open_ && !pending_) {
    ::ResetEvent(event_.get());
    overlapped_ = OVERLAPPED{};
    overlapped_.hEvent = event_.get();
    DWORD n = 0;
    if (::ReadFile(pipe_.get(), buffer_, sizeof buffer_, &n, &overlapped_)) {
      keep(n);
      continue;
    }
    if (::GetLastError() == ERROR_IO_PENDING) {
      pending_ = true;
      return;
    }
    open_ = false;  // ERROR_BROKEN_PIPE: every write end is closed
  }
}

void OutputReader::on_ready() {
  DWORD n = 0;
  pending_ = false;
  if (!::GetOverlappedResult(pipe_.get(), &overlapped_, &n, FALSE)) {
    open_ = false;
    return;
  }
  keep(n);
  read();
}

void OutputReader::close() {
  if (pending_) {
    DWORD n = 0;
    ::CancelIoEx(pipe_.get(), &overlapped_);
    ::GetOverlappedResult(pipe_.get(), &overlapped_, &n, TRUE);
    pending_ = false;
  }
  open_ = false;
  pipe_.reset();
}

}  // namespace triage
