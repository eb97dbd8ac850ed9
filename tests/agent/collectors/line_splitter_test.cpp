// Lines out of text that arrives in chunks of any size, with a bounded carry-over.
#include <catch2/catch.hpp>

#include "agent/collectors/line_splitter.hpp"

using namespace triage::agent;

namespace {

std::vector<std::string> split(std::string_view text, std::size_t chunk, std::size_t max_line) {
  std::vector<std::string> lines;
  LineSplitter splitter(
      [&lines](std::string_view line) {
        lines.emplace_back(line);
        return true;
      },
      max_line);
  for (std::size_t i = 0; i < text.size(); i += chunk) splitter.feed(text.substr(i, chunk));
  splitter.finish();
  return lines;
}

}  // namespace

TEST_CASE("line_splitter: the same lines whatever the chunks, CRLF and a last unterminated line",
          "[line_splitter]") {
  const std::string text = "one\r\ntwo\n\nthree";
  const std::vector<std::string> expected{"one", "two", "", "three"};
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk) {
    INFO("chunk of " << chunk << " bytes");
    CHECK(split(text, chunk, 64) == expected);
  }
}

TEST_CASE("line_splitter: a line over the cap is skipped whole, in one chunk or many",
          "[line_splitter][robustness]") {
  const std::string text = "short\n" + std::string(100, 'x') + "\nafter\n";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, text.size()}) {
    INFO("chunk of " << chunk << " bytes");
    CHECK(split(text, chunk, 16) == std::vector<std::string>{"short", "after"});
  }
}

TEST_CASE("line_splitter: a sink that says stop gets no further line", "[line_splitter]") {
  std::vector<std::string> lines;
  LineSplitter splitter([&lines](std::string_view line) {
    lines.emplace_back(line);
    return line != "stop";
  });
  CHECK_FALSE(splitter.feed("a\nstop\nb\n"));
  CHECK_FALSE(splitter.feed("c\n"));
  splitter.finish();
  CHECK(lines == std::vector<std::string>{"a", "stop"});
}
