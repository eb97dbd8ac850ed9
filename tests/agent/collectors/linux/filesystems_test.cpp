// The filesystems collector: mounts with usage, inodes and options.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/filesystems.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;

TEST_CASE("filesystems: desktop mounts, usage and a network share",
          "[filesystems][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "filesystems").hardware();
  // Pseudo filesystems, squashfs snaps and the bind mount of / are not listed.
  REQUIRE(hw.filesystems_size() == 4);
  CHECK(hw.filesystems(0).mount_point() == "/");
  CHECK(hw.filesystems(1).mount_point() == "/boot/efi");
  CHECK(hw.filesystems(2).mount_point() == "/data");
  CHECK(hw.filesystems(3).mount_point() == "/mnt/my share");
  const auto& root = hw.filesystems(0);
  CHECK(root.device() == "/dev/sda2");
  CHECK(root.fs_type() == "ext4");
  CHECK(std::vector<std::string>(root.options().begin(), root.options().end()) ==
        std::vector<std::string>{"rw", "relatime", "errors=remount-ro"});
  CHECK_FALSE(root.read_only());
  CHECK(root.size_bytes() == 490000000000ull);
  CHECK(root.used_bytes() == 290000000000ull);
  CHECK(root.free_bytes() == 175000000000ull);
  CHECK(root.used_percent() == Approx(100.0 * 290 / 465));
  CHECK(root.inodes_total() == 30000000);
  CHECK(root.inodes_used() == 3000000);
  CHECK(root.inodes_used_percent() == Approx(10.0));
  CHECK(hw.filesystems(2).used_percent() == Approx(100.0 * 930 / 950));
  CHECK_FALSE(hw.filesystems(1).has_inodes_total());
  const auto& share = hw.filesystems(3);
  CHECK(share.network());
  CHECK(share.fs_type() == "cifs");
  CHECK_FALSE(share.has_size_bytes());
}

TEST_CASE("filesystems: laptop btrfs subvolumes listed once", "[filesystems][fixture][laptop]") {
  auto hw = testing::fixture_collect("laptop", "filesystems").hardware();
  // /home is another subvolume of the same btrfs device: one filesystem, listed once.
  REQUIRE(hw.filesystems_size() == 3);
  CHECK(hw.filesystems(0).mount_point() == "/");
  CHECK(hw.filesystems(0).fs_type() == "btrfs");
  CHECK(hw.filesystems(0).device() == "/dev/mapper/fedora-root");
}

TEST_CASE("filesystems: server inodes nearly exhausted, NFS home",
          "[filesystems][fixture][server]") {
  auto hw = testing::fixture_collect("server-raid", "filesystems").hardware();
  const auto* srv = find_if(hw.filesystems(), [](auto& f) { return f.mount_point() == "/srv"; });
  REQUIRE(srv);
  CHECK(srv->fs_type() == "xfs");
  CHECK(srv->inodes_used_percent() == Approx(96.0f));
  CHECK(find_if(hw.filesystems(), [](auto& f) { return f.mount_point() == "/home"; })->network());
}

TEST_CASE("filesystems: container overlay root", "[filesystems][fixture][container]") {
  auto hw = testing::fixture_collect("container", "filesystems").hardware();
  REQUIRE(hw.filesystems_size() == 1);  // overlay root; injected files left out
  CHECK(hw.filesystems(0).fs_type() == "overlay");
  CHECK(hw.filesystems(0).used_percent() == Approx(100.0 * 60 / 60.1));
}

TEST_CASE("filesystems: octal escapes in mount points", "[filesystems][parsers]") {
  auto mounts = parse_mounts("//nas/my\\040share /mnt/my\\040share cifs rw,relatime 0 0\n");
  REQUIRE(mounts.size() == 1);
  CHECK(mounts[0].mount_point == "/mnt/my share");
  CHECK(mounts[0].options == std::vector<std::string>{"rw", "relatime"});
  CHECK(is_pseudo_filesystem("proc"));
  CHECK(is_network_filesystem("nfs4"));
  CHECK_FALSE(is_network_filesystem("ext4"));
}

TEST_CASE("filesystems: the parser survives hostile input", "[filesystems][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_mounts(input);
  SUCCEED();
}
