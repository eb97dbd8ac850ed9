// apt lists read in process whatever their compression: the text comes out the same for plain,
// gzip, lz4 and xz files; a truncated or oversized one is a clear error naming the file.
#include <catch2/catch.hpp>
#include <fstream>

#include "agent/collectors/linux/streamed_file.hpp"
#include "tests/agent/collectors/linux/write_compressed_list.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::agent;

namespace {

void write_plain(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string list_text() {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "Package: pkg" + std::to_string(i) + "\nVersion: 1." + std::to_string(i) +
            "\nArchitecture: amd64\n\n";
  }
  return text;
}

struct ReadBack {
  triage::Result<void> result;
  std::string text;
  std::size_t chunks = 0;
  std::size_t largest_chunk = 0;
};

ReadBack read_back(const std::filesystem::path& path, std::size_t max_bytes = 64 << 20) {
  ReadBack back;
  back.result = read_streamed_file(path, max_bytes, [&](std::string_view chunk) {
    back.text.append(chunk);
    ++back.chunks;
    back.largest_chunk = std::max(back.largest_chunk, chunk.size());
    return true;
  });
  return back;
}

}  // namespace

TEST_CASE("streamed_file: plain, gzip, lz4 and xz lists read back the same text in bounded chunks",
          "[apt_updates][streamed_file]") {
  triage::testing::TempDir dir;
  const auto text = list_text();
  write_plain(dir.path() / "plain_Packages", text);
  for (std::string filter : {"gzip", "lz4", "xz"}) {
    testing::write_compressed_list(dir.path() / ("list_Packages." + filter), filter, text);
  }
  for (std::string name :
       {"plain_Packages", "list_Packages.gzip", "list_Packages.lz4", "list_Packages.xz"}) {
    INFO(name);
    auto back = read_back(dir.path() / name);
    REQUIRE(back.result);
    CHECK(back.text == text);
    CHECK(back.chunks > 1);
    CHECK(back.largest_chunk <= 64 * 1024);
  }
}

TEST_CASE("streamed_file: a truncated list is an error naming the file",
          "[apt_updates][streamed_file][robustness]") {
  triage::testing::TempDir dir;
  auto path = dir.path() / "security_Packages.xz";
  testing::write_compressed_list(path, "xz", list_text());
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  auto back = read_back(path);
  REQUIRE_FALSE(back.result);
  CHECK(back.result.error().message.find("security_Packages.xz") != std::string::npos);
}

TEST_CASE("streamed_file: a list that decompresses past the cap is refused",
          "[apt_updates][streamed_file][robustness]") {
  triage::testing::TempDir dir;
  auto path = dir.path() / "bomb_Packages.lz4";
  testing::write_compressed_list(path, "lz4", std::string(4 << 20, '\n'));
  auto back = read_back(path, 1 << 20);
  REQUIRE_FALSE(back.result);
  CHECK(back.result.error().message.find("more than 1 MiB") != std::string::npos);
  CHECK(back.text.size() <= (1 << 20) + 64 * 1024);
}

TEST_CASE("streamed_file: a missing list is an error, an empty one is no text",
          "[apt_updates][streamed_file]") {
  triage::testing::TempDir dir;
  CHECK_FALSE(read_back(dir.path() / "absent_Packages.gz").result);
  write_plain(dir.path() / "empty_Packages", "");
  auto back = read_back(dir.path() / "empty_Packages");
  CHECK(back.result);
  CHECK(back.text.empty());
}
