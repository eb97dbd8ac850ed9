// The Debian control-file parser (apt lists, dpkg status) fed in chunks: stanzas come out the same
// whatever the chunking, and an absurdly long line costs a bounded buffer.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/apt_updates.hpp"
#include "agent/collectors/linux/control_stanzas.hpp"

using namespace triage::agent;

namespace {

const std::string kList =
    "Package: openssl\nVersion: 3.0.2-0ubuntu1.15\nArchitecture: amd64\nDepends: libc6\n\n"
    "Package: tzdata\r\nVersion: 2024a-0ubuntu0.22.04\r\nArchitecture: all\r\n\r\n"
    "Package: bash\nArchitecture: amd64\nVersion: 5.1-6ubuntu1\n";

std::vector<DpkgEntry> parse_in_chunks(std::string_view text, std::size_t chunk) {
  std::vector<DpkgEntry> out;
  ControlStanzaParser parser([&out](const DpkgEntry& e) { out.push_back(e); });
  for (std::size_t i = 0; i < text.size(); i += chunk) parser.feed(text.substr(i, chunk));
  parser.finish();
  return out;
}

std::string describe(const std::vector<DpkgEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += e.name + "=" + e.version + "/" + e.arch + ";";
  return out;
}

}  // namespace

TEST_CASE("control_stanzas: stanzas are the same whatever the chunks the list arrives in",
          "[apt_updates][control_stanzas]") {
  const std::string expected =
      "openssl=3.0.2-0ubuntu1.15/amd64;tzdata=2024a-0ubuntu0.22.04/all;bash=5.1-6ubuntu1/amd64;";
  CHECK(describe(parse_packages_list(kList)) == expected);
  for (std::size_t chunk = 1; chunk <= kList.size(); ++chunk) {
    INFO("chunk of " << chunk << " bytes");
    CHECK(describe(parse_in_chunks(kList, chunk)) == expected);
  }
}

TEST_CASE("control_stanzas: a line longer than the cap is skipped and the next stanzas still parse",
          "[apt_updates][control_stanzas][robustness]") {
  std::string huge = "Description: " + std::string(LineSplitter::kDefaultMaxLineBytes * 3, 'x');
  std::string text = "Package: first\nVersion: 1\nArchitecture: amd64\n" + huge +
                     "\n\nPackage: second\nVersion: 2\nArchitecture: amd64\n\n";
  for (std::size_t chunk : {std::size_t{7}, std::size_t{4096}, text.size()}) {
    INFO("chunk of " << chunk << " bytes");
    CHECK(describe(parse_in_chunks(text, chunk)) == "first=1/amd64;second=2/amd64;");
  }
  // A Package line past the cap names no package: the stanza is dropped, not truncated.
  std::string long_name = "Package: " + std::string(LineSplitter::kDefaultMaxLineBytes, 'p') +
                          "\nVersion: 1\n\nPackage: ok\nVersion: 2\nArchitecture: all\n";
  CHECK(describe(parse_in_chunks(long_name, 1000)) == "ok=2/all;");
}

TEST_CASE("control_stanzas: dpkg status states and continuation lines, in any chunks",
          "[dpkg][control_stanzas]") {
  const std::string status =
      "Package: vim\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2:9.0\n"
      "Description: editor\n Package: not-a-field\n\n"
      "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
      "Package: half\nStatus: install reinstreq half-installed\nVersion: 2\n";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, status.size()}) {
    INFO("chunk of " << chunk << " bytes");
    std::string seen;
    ControlStanzaParser parser(
        [&seen](const DpkgEntry& e) { seen += e.name + ":" + e.state + ";"; });
    for (std::size_t i = 0; i < status.size(); i += chunk)
      parser.feed(std::string_view(status).substr(i, chunk));
    parser.finish();
    CHECK(seen == "vim:installed;gone:config-files;half:half-installed;");
  }
  auto present = parse_dpkg_status(status);
  REQUIRE(present.size() == 2);
  CHECK(present[0].name == "vim");
  CHECK(present[0].version == "2:9.0");
  CHECK(present[1].state == "half-installed");
}
