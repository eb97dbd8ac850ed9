// The log bundle from a fixture sysroot (never this machine's logs): a tar.gz that holds the
// tails of the log files present, the agent's status and a manifest, that never exceeds its
// size cap, and that does not follow symbolic links out of the log directory.

#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>

#include <nlohmann/json.hpp>

#include "agent/actions/log_bundle_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

/// Every file of a tar.gz, by path.
std::map<std::string, std::string> unpack(const std::string& bytes) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  REQUIRE(archive_read_open_memory(a.get(), bytes.data(), bytes.size()) == ARCHIVE_OK);
  std::map<std::string, std::string> files;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a.get(), &entry) == ARCHIVE_OK) {
    std::string content;
    char buf[65536];
    for (;;) {
      const auto n = archive_read_data(a.get(), buf, sizeof buf);
      REQUIRE(n >= 0);
      if (n == 0) break;
      content.append(buf, static_cast<std::size_t>(n));
    }
    files[archive_entry_pathname(entry)] = std::move(content);
  }
  return files;
}

/// Bytes that do not compress, so the cap has to cut them.
std::string noise(std::size_t n) {
  std::mt19937_64 rng(42);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

struct Sysroot {
  testing::TempDir dir;
  std::string big = noise(3 * 1024 * 1024) + "the newest line\n";
  Sysroot() {
    std::filesystem::create_directories(dir.path() / "var/log/apt");
    std::ofstream(dir.path() / "var/log/kern.log") << "kernel: usb 1-1: new device\n";
    std::ofstream(dir.path() / "var/log/apt/history.log") << "Start-Date: 2026-11-27\n";
    std::ofstream(dir.path() / "var/log/syslog", std::ios::binary) << big;
    std::ofstream(dir.path() / "secret") << "not a log";
    std::filesystem::create_symlink(dir.path() / "secret", dir.path() / "var/log/messages");
  }
};

}  // namespace

TEST_CASE("the log bundle holds the logs present, its status and a manifest") {
  Sysroot root;
  LogBundleOptions options;
  options.sysroot = root.dir.path().string();
  options.hours = 6;
  options.max_bytes = kLogBundleMaxBytes;
  auto bundle = build_log_bundle(options);
  REQUIRE(bundle);
  CHECK(bundle->size() <= options.max_bytes);
  auto files = unpack(*bundle);
  CHECK(files["triage-logs/var/log/kern.log"] == "kernel: usb 1-1: new device\n");
  CHECK(files["triage-logs/var/log/apt/history.log"] == "Start-Date: 2026-11-27\n");
  // The symbolic link is listed, not followed.
  CHECK(files.count("triage-logs/var/log/messages") == 1);
  CHECK(files["triage-logs/var/log/messages"].empty());
  for (const auto& [name, content] : files) CHECK(content.find("not a log") == std::string::npos);
  // A fixture root is not the live machine: no journalctl or dmesg of this host.
  CHECK(files.count("triage-logs/journal.txt") == 0);
  CHECK(files.count("triage-logs/dmesg.txt") == 0);
  auto status = nlohmann::json::parse(files["triage-logs/agent-status.json"]);
  CHECK(status["hours"] == 6);
  auto manifest = nlohmann::json::parse(files["triage-logs/manifest.json"]);
  CHECK(manifest["hours"] == 6);
  bool link_reported = false;
  for (const auto& e : manifest["entries"]) {
    if (e["name"] == "var/log/messages") {
      link_reported = e.value("error", "").find("symbolic link") != std::string::npos;
    }
  }
  CHECK(link_reported);
}

TEST_CASE("the log bundle never exceeds its cap: large logs keep their newest bytes") {
  Sysroot root;
  LogBundleOptions options;
  options.sysroot = root.dir.path().string();
  options.max_bytes = 256 * 1024;
  auto bundle = build_log_bundle(options);
  REQUIRE(bundle);
  CHECK(bundle->size() <= options.max_bytes);
  auto files = unpack(*bundle);
  const auto& syslog = files["triage-logs/var/log/syslog"];
  REQUIRE_FALSE(syslog.empty());
  CHECK(syslog.size() < root.big.size());
  // The tail: the newest line is kept.
  CHECK(root.big.compare(root.big.size() - syslog.size(), syslog.size(), syslog) == 0);
  auto manifest = nlohmann::json::parse(files["triage-logs/manifest.json"]);
  for (const auto& e : manifest["entries"]) {
    if (e["name"] == "var/log/syslog") CHECK(e["cut_at_start"] == true);
  }
  // Out-of-range requests are refused.
  options.hours = 0;
  CHECK_FALSE(build_log_bundle(options));
  options.hours = 1;
  options.max_bytes = kLogBundleMaxBytes + 1;
  CHECK_FALSE(build_log_bundle(options));
}

TEST_CASE("the log bundle carries no password a log line recorded") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "var/log");
  std::ofstream(dir.path() / "var/log/syslog")
      << "Dec  6 10:00:01 lt-sales-17 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
         "COMMAND=/usr/bin/mysql -uroot -pHunter2Secret\n"
         "Dec  6 10:00:02 lt-sales-17 backup[812]: fetching https://svc:S3cretPw@files.example/x\n"
         "Dec  6 10:00:03 lt-sales-17 app[90]: retrying with api_key=AKIAZZZSECRETKEY\n"
         "Dec  6 10:00:04 lt-sales-17 kernel: usb 1-1: new device\n";
  LogBundleOptions options;
  options.sysroot = dir.path().string();
  auto bundle = build_log_bundle(options);
  REQUIRE(bundle);
  auto files = unpack(*bundle);
  const auto& syslog = files["triage-logs/var/log/syslog"];
  for (const auto* secret : {"Hunter2Secret", "S3cretPw", "AKIAZZZSECRETKEY"}) {
    CHECK(syslog.find(secret) == std::string::npos);
  }
  // What the technician needs stays: who ran what, which host was fetched, the kernel line.
  CHECK(syslog.find("COMMAND=/usr/bin/mysql -uroot -p[REDACTED]") != std::string::npos);
  CHECK(syslog.find("files.example/x") != std::string::npos);
  CHECK(syslog.find("kernel: usb 1-1: new device\n") != std::string::npos);
  auto manifest = nlohmann::json::parse(files["triage-logs/manifest.json"]);
  for (const auto& e : manifest["entries"]) {
    if (e["name"] == "var/log/syslog") CHECK(e.value("redacted_lines", 0) == 3);
  }
}
