#pragma once
// Debian control files (apt's `Packages` lists, dpkg's status file) read as they stream in:
// each stanza's package, version, architecture and dpkg state is handed on as soon as its blank
// line arrives, so a list of tens of MB never has to be held whole. Linux.

#include <functional>
#include <string_view>

#include "agent/collectors/line_splitter.hpp"
#include "agent/collectors/linux/dpkg.hpp"

namespace triage::agent {

/// Splits a control file fed in chunks of any size into stanzas. A line longer than
/// LineSplitter's cap is skipped: none of the four fields read here is ever that long.
class ControlStanzaParser {
 public:
  /// Receives one stanza that named a package. `state` is the third word of its `Status:`
  /// field ("installed"), empty when the stanza has none (apt lists).
  using StanzaSink = std::function<void(const DpkgEntry&)>;

  explicit ControlStanzaParser(StanzaSink sink);

  /// Takes the next bytes of the file; a line may be split across calls.
  void feed(std::string_view chunk) { lines_.feed(chunk); }
  /// Ends the file: hands on the last stanza when no blank line followed it.
  void finish();

 private:
  void take_line(std::string_view line);

  StanzaSink sink_;
  DpkgEntry current_;
  LineSplitter lines_;
};

}  // namespace triage::agent
