#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "shared/util/fs_root.hpp"

namespace fs = std::filesystem;
using triage::FsRoot;

namespace {

/// A scratch directory removed at scope exit.
struct TempTree {
  fs::path dir;
  TempTree() {
    dir = fs::temp_directory_path() /
          ("fsroot-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir);
  }
  ~TempTree() { fs::remove_all(dir); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << text;
  }
  static inline int counter = 0;
};

}  // namespace

TEST_CASE("FsRoot resolves absolute paths under the root and never above it", "[fs_root]") {
  FsRoot root("/srv/fixture");
  CHECK(root.resolve("/proc/meminfo") == fs::path("/srv/fixture/proc/meminfo"));
  CHECK(root.resolve("proc/meminfo") == fs::path("/srv/fixture/proc/meminfo"));
  CHECK(root.resolve("/../../etc/shadow") == fs::path("/srv/fixture/etc/shadow"));
  CHECK(root.resolve("/proc/../../../x/./y") == fs::path("/srv/fixture/x/y"));
  CHECK(root.resolve("/") == fs::path("/srv/fixture"));
  CHECK_FALSE(root.is_live());
  CHECK(FsRoot("/").is_live());
  CHECK(FsRoot("/").resolve("/etc/hostname") == fs::path("/etc/hostname"));
}

TEST_CASE("FsRoot reads files, attributes and directories inside the root", "[fs_root]") {
  TempTree t;
  t.write("proc/meminfo", "MemTotal: 1 kB\n");
  t.write("sys/block/sda/size", "  2048 \n");
  t.write("sys/block/sda/queue/rotational", "1\n");
  t.write("sys/block/sda/bad", "12x\n");
  FsRoot root(t.dir);
  REQUIRE(root.read("/proc/meminfo").value() == "MemTotal: 1 kB\n");
  CHECK(root.read_attr("/sys/block/sda/size").value() == "2048");
  CHECK(root.read_uint("/sys/block/sda/size").value() == 2048);
  CHECK_FALSE(root.read_uint("/sys/block/sda/bad").has_value());
  CHECK_FALSE(root.read_uint("/sys/block/sda/missing").has_value());
  auto names = root.list_dir("/sys/block/sda").value();
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"bad", "queue", "size"});
  CHECK(root.is_directory("/sys/block"));
  CHECK_FALSE(root.exists("/nope"));
  CHECK_FALSE(root.read("/nope").has_value());
  CHECK(root.read_prefix("/proc/meminfo", 3).value() == "Mem");
  CHECK_FALSE(root.read("/proc/meminfo", 4).has_value());
  CHECK(root.read_available("/proc/meminfo", 100).value() == "MemTotal: 1 kB\n");
}

TEST_CASE("FsRoot does not follow symlinks out of the root", "[fs_root]") {
  TempTree outside;
  outside.write("secret", "outside-data");
  TempTree t;
  t.write("usr/share/zoneinfo/Europe/Paris", "TZif");
  fs::create_directories(t.dir / "etc");
  fs::create_symlink("/usr/share/zoneinfo/Europe/Paris", t.dir / "etc/localtime");
  fs::create_symlink((outside.dir / "secret").string(), t.dir / "etc/escape");
  fs::create_symlink("../../../../../../../../" + (outside.dir / "secret").string(),
                     t.dir / "etc/up");
  FsRoot root(t.dir);
  // Absolute links resolve inside the root, as they would on the machine the tree came from.
  CHECK(root.read("/etc/localtime").value() == "TZif");
  CHECK(root.read_link("/etc/localtime").value() == "/usr/share/zoneinfo/Europe/Paris");
  CHECK_FALSE(root.read("/etc/escape").has_value());
  CHECK_FALSE(root.read("/etc/up").has_value());
  CHECK(root.stat("/etc/localtime", false).is_symlink);
  CHECK(root.stat("/etc/localtime").is_regular);
}
