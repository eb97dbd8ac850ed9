// The encryption collector: dm-crypt volumes, root encryption and Secure Boot.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/encryption.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("encryption: desktop unencrypted with Secure Boot", "[encryption][fixture][desktop]") {
  auto sec = testing::fixture_collect("desktop", "encryption").security();
  CHECK(sec.secure_boot());
  CHECK_FALSE(sec.root_encrypted());
  CHECK(sec.encrypted_volumes_size() == 0);
}

TEST_CASE("encryption: laptop root on LUKS", "[encryption][fixture][laptop]") {
  auto sec = testing::fixture_collect("laptop", "encryption").security();
  CHECK(sec.root_encrypted());
  REQUIRE(sec.encrypted_volumes_size() == 2);
  CHECK(sec.encrypted_volumes(0).name() == "luks-3f1c2b7a");
  CHECK(sec.encrypted_volumes(0).type() == "LUKS2");
  CHECK(sec.encrypted_volumes(0).active());
  CHECK(sec.encrypted_volumes(0).backing_device() == "nvme0n1p3");
  CHECK(std::vector<std::string>(sec.encrypted_volumes(0).mount_points().begin(),
                                 sec.encrypted_volumes(0).mount_points().end()) ==
        std::vector<std::string>{"/", "/home"});
  CHECK(sec.encrypted_volumes(1).name() == "luks-backup");
  CHECK_FALSE(sec.encrypted_volumes(1).active());
  CHECK_FALSE(sec.has_secure_boot());
}

TEST_CASE("encryption: crypt types from device-mapper uuids", "[encryption][parsers]") {
  CHECK(crypt_type_from_dm_uuid("CRYPT-LUKS2-3f1c2b7a0000-luks-3f1c2b7a") == "LUKS2");
  CHECK(crypt_type_from_dm_uuid("LVM-abcdef").empty());
}
