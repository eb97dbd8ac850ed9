#include "agent/collectors/linux/control_stanzas.hpp"

#include "agent/collectors/text.hpp"

namespace triage::agent {

ControlStanzaParser::ControlStanzaParser(StanzaSink sink)
    : sink_(std::move(sink)), lines_([this](std::string_view line) {
        take_line(line);
        return true;
      }) {}

void ControlStanzaParser::finish() {
  lines_.finish();
  take_line({});
}

void ControlStanzaParser::take_line(std::string_view line) {
  if (line.empty()) {
    if (!current_.name.empty()) sink_(current_);
    current_ = DpkgEntry{};
  } else if (line[0] == ' ' || line[0] == '\t') {
    return;  // a continuation line (Description, Conffiles)
  } else if (line.starts_with("Package:")) {
    current_.name = std::string(trim(line.substr(8)));
  } else if (line.starts_with("Version:")) {
    current_.version = std::string(trim(line.substr(8)));
  } else if (line.starts_with("Architecture:")) {
    current_.arch = std::string(trim(line.substr(13)));
  } else if (line.starts_with("Status:")) {
    // "install ok installed": want, error flag, state.
    auto words = split_ws(line.substr(7));
    current_.state = words.size() == 3 ? std::string(words[2]) : std::string();
  }
}

}  // namespace triage::agent
