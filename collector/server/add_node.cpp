#include "collector/server/add_node.hpp"

#include <iterator>
#include <random>
#include <system_error>

#include "collector/server/collector_config.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"

namespace triage::collector {

namespace {

Result<void> check_target(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return {};
  if (std::filesystem::is_directory(root, ec) && std::filesystem::is_empty(root, ec)) return {};
  return fail(ErrorCode::kConflict, root.string() +
                                        " exists: node add never writes into an existing data "
                                        "directory; name a new one");
}

Result<std::string> read_source(const std::filesystem::path& path, const std::string& hint) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return fail(ErrorCode::kNotFound, path.string() + " is missing" + hint);
  }
  return read_file(path);
}

// "dir/new/" and "dir/new" name the same directory.
std::filesystem::path without_trailing_slash(const std::filesystem::path& path) {
  auto normal = path.lexically_normal();
  return normal.has_filename() ? normal : normal.parent_path();
}

// Where the new directory is built before it takes its name: beside it, so the rename stays
// on one file system.
std::filesystem::path staging_path(const std::filesystem::path& root) {
  std::random_device random;
  return root.parent_path() /
         (root.filename().string() + ".partial-" + std::to_string(random() % 1'000'000));
}

}  // namespace

Result<void> add_node(const DataDir& from, const DataDir& to, const AddNodeOptions& options) {
  if (options.name.empty()) {
    return fail(ErrorCode::kInvalid, "node add: the new node needs a name (--name)");
  }
  const auto target = without_trailing_slash(to.root());
  if (auto r = check_target(target); !r) return r;
  if (!from.initialized()) {
    return fail(ErrorCode::kNotFound,
                from.root().string() + " is not an initialized collector data directory");
  }
  auto config = load_collector_config(options.config_file);
  if (!config) return tl::unexpected(config.error());
  if (config->storage.backend != "postgres") {
    return fail(ErrorCode::kInvalid,
                options.config_file.string() +
                    ": nodes of a cluster share a PostgreSQL database ([storage] backend = "
                    "\"postgres\" and its url); this configuration uses `" +
                    config->storage.backend + "`");
  }
  auto config_text = read_file(options.config_file);
  if (!config_text) return tl::unexpected(config_text.error());

  // What every node shares, byte for byte.
  struct Shared {
    std::filesystem::path (DataDir::*path)() const;
    unsigned mode;
    const char* hint;
  };
  const Shared shared[] = {
      {&DataDir::ca_key, 0600, ""},
      {&DataDir::signing_key, 0600, ""},
      {&DataDir::signing_public_key, 0644, ""},
      {&DataDir::integrations_key, 0600,
       " (a node creates it at its first start: start that node once, then add this one)"},
      // Last: its presence marks the directory as initialized.
      {&DataDir::ca_certificate, 0644, ""},
  };
  std::vector<std::string> contents;
  for (const auto& file : shared) {
    auto content = read_source((from.*file.path)(), file.hint);
    if (!content) return tl::unexpected(content.error());
    contents.push_back(std::move(*content));
  }
  auto ca = pki::certificate_from_pem(contents.back());
  if (!ca) return fail(from.ca_certificate().string(), ca.error());
  auto ca_key = pki::private_key_from_pem(contents.front());
  if (!ca_key) return fail(from.ca_key().string(), ca_key.error());
  InitOptions names;
  names.dns_names = {options.name};
  names.ip_addresses = options.ip_addresses;
  auto server = issue_server_credentials(ca->get(), ca_key->get(), options.name, names);
  if (!server) return tl::unexpected(server.error());

  const DataDir staged(staging_path(target));
  auto written = [&]() -> Result<void> {
    if (auto r = ensure_directory(staged.root(), 0700); !r) return r;
    if (auto r = ensure_directory(staged.root() / "pki", 0700); !r) return r;
    if (auto r = write_file_atomic(staged.server_key(), server->key_pem, 0600); !r) return r;
    if (auto r = write_file_atomic(staged.server_certificate(), server->certificate_pem, 0644);
        !r) {
      return r;
    }
    if (auto r = write_file_atomic(staged.config_file(), *config_text, 0600); !r) return r;
    for (std::size_t i = 0; i < std::size(shared); ++i) {
      if (auto r = write_file_atomic((staged.*shared[i].path)(), contents[i], shared[i].mode); !r) {
        return r;
      }
    }
    std::error_code ec;
    // Also over an empty directory (a mount point made for it): rename(2) replaces it.
    std::filesystem::rename(staged.root(), target, ec);
    if (ec) {
      return fail("moving the new data directory to " + target.string() + ": " + ec.message());
    }
    return {};
  }();
  if (!written) {
    std::error_code ec;
    std::filesystem::remove_all(staged.root(), ec);
  }
  return written;
}

}  // namespace triage::collector
