#pragma once
// Text that arrives in chunks of any size, handed on line by line. The carry-over of a line
// split across chunks is bounded: a longer line is skipped whole, so no input can make it grow.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace triage::agent {

class LineSplitter {
 public:
  /// Receives one line without its '\n' (a trailing '\r' removed); returns false to stop.
  using LineSink = std::function<bool(std::string_view line)>;
  static constexpr std::size_t kDefaultMaxLineBytes = 64 * 1024;

  explicit LineSplitter(LineSink sink, std::size_t max_line_bytes = kDefaultMaxLineBytes);

  /// Takes the next bytes; returns false once the sink asked to stop (later input is ignored).
  bool feed(std::string_view chunk);
  /// Ends the text: hands on a last line that had no '\n'.
  void finish();

 private:
  bool emit(std::string_view line);

  LineSink sink_;
  std::size_t max_line_bytes_;
  std::string carry_;
  bool skipping_long_line_ = false;
  bool stopped_ = false;
};

}  // namespace triage::agent
