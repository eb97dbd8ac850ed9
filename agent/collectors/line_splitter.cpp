#include "agent/collectors/line_splitter.hpp"

namespace triage::agent {

LineSplitter::LineSplitter(LineSink sink, std::size_t max_line_bytes)
    : sink_(std::move(sink)), max_line_bytes_(max_line_bytes) {}

bool LineSplitter::feed(std::string_view chunk) {
  while (!stopped_ && !chunk.empty()) {
    auto newline = chunk.find('\n');
    if (newline == std::string_view::npos) {
      if (!skipping_long_line_) {
        if (carry_.size() + chunk.size() > max_line_bytes_) {
          carry_.clear();
          skipping_long_line_ = true;
        } else {
          carry_.append(chunk);
        }
      }
      break;
    }
    auto piece = chunk.substr(0, newline);
    chunk.remove_prefix(newline + 1);
    if (skipping_long_line_) {
      skipping_long_line_ = false;
    } else if (carry_.empty()) {
      if (piece.size() <= max_line_bytes_) emit(piece);
    } else if (carry_.size() + piece.size() > max_line_bytes_) {
      carry_.clear();
    } else {
      carry_.append(piece);
      emit(carry_);
      carry_.clear();
    }
  }
  return !stopped_;
}

void LineSplitter::finish() {
  if (!stopped_ && !carry_.empty() && !skipping_long_line_) emit(carry_);
  carry_.clear();
  skipping_long_line_ = false;
}

bool LineSplitter::emit(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!sink_(line)) stopped_ = true;
  return !stopped_;
}

}  // namespace triage::agent
