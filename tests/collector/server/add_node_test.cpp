// `node add`: a new node's data directory carries the cluster's CA, order-signing key and
// integrations.key byte for byte (secrets 0600), a server certificate of its own that chains
// to the same CA and names the new node, and the cluster's PostgreSQL configuration; it never
// writes into an existing directory.

#include <sys/stat.h>

#include <fstream>

#include <openssl/x509v3.h>
#include <catch2/catch.hpp>

#include "collector/integrations/credential_cipher.hpp"
#include "collector/server/add_node.hpp"
#include "collector/server/collector_config.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/util/files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;

namespace {

constexpr const char* kClusterConfig =
    "[storage]\nbackend = \"postgres\"\nurl = \"postgresql://triage:s3cret@db.example/triage\"\n";

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string contents(const std::filesystem::path& path) {
  auto text = read_file(path);
  REQUIRE(text);
  return *text;
}

struct Cluster {
  testing::TempDir dir;
  DataDir first{dir.path() / "node-a"};
  std::filesystem::path config = dir.path() / "cluster.toml";

  Cluster() {
    REQUIRE(initialize_data_dir(first, {}));
    // The first node's first start makes the integrations key.
    REQUIRE(CredentialCipher::load_or_create(first.integrations_key()));
    std::ofstream(config) << kClusterConfig;
  }
  AddNodeOptions options(std::string name) const {
    return {std::move(name), {"192.0.2.20"}, config};
  }
};

}  // namespace

TEST_CASE("node add: the new node shares the cluster's keys and has a certificate of its own") {
  Cluster cluster;
  const DataDir second(cluster.dir.path() / "node-b");
  auto added = add_node(cluster.first, second, cluster.options("node-b.example.org"));
  if (!added) FAIL(added.error().message);
  REQUIRE(second.initialized());

  for (auto path : {&DataDir::ca_certificate, &DataDir::ca_key, &DataDir::signing_key,
                    &DataDir::signing_public_key, &DataDir::integrations_key}) {
    CAPTURE((second.*path)().string());
    CHECK(contents((second.*path)()) == contents((cluster.first.*path)()));
  }
  for (auto path : {&DataDir::ca_key, &DataDir::signing_key, &DataDir::integrations_key,
                    &DataDir::server_key, &DataDir::config_file}) {
    CAPTURE((second.*path)().string());
    CHECK(mode_of((second.*path)()) == 0600);
  }
  CHECK(mode_of(second.root()) == 0700);
  CHECK(contents(second.server_key()) != contents(cluster.first.server_key()));

  auto ca = pki::certificate_from_pem(contents(cluster.first.ca_certificate()));
  auto server = pki::certificate_from_pem(contents(second.server_certificate()));
  REQUIRE(ca);
  REQUIRE(server);
  CHECK(pki::verify_certificate(server->get(), ca->get()));
  CHECK(pki::certificate_common_name(server->get()).value() == "node-b.example.org");
  CHECK(X509_check_host(server->get(), "node-b.example.org", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(server->get(), "192.0.2.20", 0) == 1);
  CHECK(X509_check_host(server->get(), "node-a.example.org", 0, 0, nullptr) != 1);
  // What `serve` loads: the shared CA and signing key with the node's own certificate.
  auto keys = load_keys(second);
  if (!keys) FAIL(keys.error().message);

  auto config = load_collector_config(second.config_file());
  REQUIRE(config);
  CHECK(config->storage.backend == "postgres");
  CHECK(config->storage.url == "postgresql://triage:s3cret@db.example/triage");
}

TEST_CASE("node add: an existing data directory is never written into") {
  Cluster cluster;
  const DataDir second(cluster.dir.path() / "node-b");
  REQUIRE(add_node(cluster.first, second, cluster.options("node-b")));
  const auto certificate = contents(second.server_certificate());

  auto again = add_node(cluster.first, second, cluster.options("node-c"));
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kConflict);
  CHECK(contents(second.server_certificate()) == certificate);
  // Nor the first node's own directory.
  auto over_first = add_node(cluster.first, cluster.first, cluster.options("node-a"));
  REQUIRE_FALSE(over_first);
  CHECK(over_first.error().code == ErrorCode::kConflict);
  // Nor a directory with anything in it (trailing slash or not).
  const auto occupied = cluster.dir.path() / "occupied";
  std::filesystem::create_directory(occupied);
  std::ofstream(occupied / "notes.txt") << "mine";
  auto into_occupied = add_node(cluster.first, DataDir(occupied / ""), cluster.options("node-d"));
  REQUIRE_FALSE(into_occupied);
  CHECK(into_occupied.error().code == ErrorCode::kConflict);
  CHECK(contents(occupied / "notes.txt") == "mine");
  // An empty directory (a mount point made for it) is fine.
  const auto empty = cluster.dir.path() / "empty";
  std::filesystem::create_directory(empty);
  REQUIRE(add_node(cluster.first, DataDir(empty), cluster.options("node-e")));
  CHECK(DataDir(empty).initialized());
}

TEST_CASE("node add: refuses a configuration without PostgreSQL and a source without its keys") {
  Cluster cluster;
  const auto sqlite_config = cluster.dir.path() / "sqlite.toml";
  std::ofstream(sqlite_config) << "[storage]\nbackend = \"sqlite\"\n";
  const DataDir second(cluster.dir.path() / "node-b");
  auto options = cluster.options("node-b");
  options.config_file = sqlite_config;
  auto on_sqlite = add_node(cluster.first, second, options);
  REQUIRE_FALSE(on_sqlite);
  CHECK(on_sqlite.error().code == ErrorCode::kInvalid);
  CHECK_THAT(on_sqlite.error().message, Catch::Contains("PostgreSQL"));
  CHECK_FALSE(std::filesystem::exists(second.root()));

  std::filesystem::remove(cluster.first.integrations_key());
  auto no_key = add_node(cluster.first, second, cluster.options("node-b"));
  REQUIRE_FALSE(no_key);
  CHECK(no_key.error().code == ErrorCode::kNotFound);
  CHECK_THAT(no_key.error().message, Catch::Contains("integrations.key"));
  CHECK_FALSE(std::filesystem::exists(second.root()));
  // Nothing half-made is left beside it either.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(cluster.dir.path())) {
    ++entries;
  }
  CHECK(entries == 3);  // node-a, cluster.toml, sqlite.toml
}
