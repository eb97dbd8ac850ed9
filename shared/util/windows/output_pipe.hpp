#pragma once
// The output pipes of a program the process runner starts: a named pipe per stream, because
// anonymous pipes cannot be read with a deadline (no overlapped I/O). The runner keeps the
// overlapped read end; the child inherits the synchronous write end. Windows only.

#include <cstddef>
#include <string>

#include "shared/util/process_runner.hpp"
#include "shared/util/result.hpp"
#include "shared/util/windows/unique_handle.hpp"
#include "shared/util/windows/windows_api.hpp"

namespace triage {

/// Both ends of one output pipe.
struct OutputPipe {
  UniqueHandle read_end;   ///< overlapped, kept by the runner
  UniqueHandle write_end;  ///< synchronous and inheritable, for the child
};

/// A new pipe under a name of this process's that nobody else created or connected to.
Result<OutputPipe> make_output_pipe();

/// Reads one stream into `text`, keeping at most `cap` bytes (the rest is read and dropped,
/// and `truncated` set), with one overlapped read pending at a time.
class OutputReader {
 public:
  OutputReader(UniqueHandle pipe, OutputStream stream, std::size_t cap,
               const OutputCallback& on_output, std::string& text, bool& truncated);
  /// Cancels a pending read before its buffer goes away.
  ~OutputReader();
  OutputReader(const OutputReader&) = delete;
  OutputReader& operator=(const OutputReader&) = delete;

  /// False once every write end is closed (or reading failed).
  bool open() const { return open_; }
  /// True while a read waits: then event() becomes signalled when it completes.
  bool pending() const { return pending_; }
  HANDLE event() const { return event_.get(); }
  /// Takes what is there and leaves one read pending, or finds the pipe closed.
  void read();
  /// After event() was signalled: takes the completed read's bytes and reads on.
  void on_ready();
  /// Stops reading.
  void close();

 private:
  void keep(DWORD n);

  UniqueHandle pipe_;
  UniqueHandle event_;
  OVERLAPPED overlapped_{};
  char buffer_[8192];
  bool open_ = true;
  bool pending_ = false;
  OutputStream stream_;
  std::size_t cap_;
  const OutputCallback& on_output_;
  std::string& text_;
  bool& truncated_;
};

}  // namespace triage
