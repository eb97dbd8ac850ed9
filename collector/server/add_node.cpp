#include "collector/server/add_node.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <random>
#include <regex>
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

// Node names are DNS names (they go into the node's certificate); nothing else may reach the
// TOML string written below.
bool plain_node_name(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_';
  });
}

// The cluster's configuration as the new node's: the same text, naming the new node in
// [cluster] node. A copy that kept another node's name would make two nodes one in the
// presence table (each taking the other's lease and devices), so a file naming a different
// node is refused rather than silently rewritten.
Result<std::string> node_config_text(const std::string& text, const CollectorConfig& parsed,
                                     const std::string& name, const std::filesystem::path& file) {
  if (parsed.cluster.node == name) return text;
  if (!parsed.cluster.node.empty()) {
    return fail(ErrorCode::kInvalid,
                file.string() + " names node `" + parsed.cluster.node +
                    "` ([cluster] node) but the new node is `" + name +
                    "`: a node's name is its own. Give a configuration without [cluster] node "
                    "(node add writes the new node's name) or one naming `" +
                    name + "`");
  }
  const std::string line = "node = \"" + name + "\"\n";
  static const std::regex header(R"(^[ \t]*\[[ \t]*cluster[ \t]*\][ \t]*(#[^\n]*)?(\n|$))",
                                 std::regex::multiline);
  std::smatch found;
  if (std::regex_search(text, found, header)) {
    std::string out = text;
    const auto at = static_cast<std::size_t>(found.position(0) + found.length(0));
    const bool ends_line = found[2].length() > 0;
    out.insert(at, ends_line ? line : "\n" + line);
    return out;
  }
  std::string out = text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + "\n[cluster]\n" + line;
}

}  // namespace

Result<void> add_node(const DataDir& from, const DataDir& to, const AddNodeOptions& options) {
  if (options.name.empty()) {
    return fail(ErrorCode::kInvalid, "node add: the new node needs a name (--name)");
  }
  if (!plain_node_name(options.name)) {
    return fail(ErrorCode::kInvalid, "node add: `" + options.name +
                                         "` is not a node name (letters, digits, '.', '-', '_')");
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
  auto shared_text = read_file(options.config_file);
  if (!shared_text) return tl::unexpected(shared_text.error());
  auto config_text = node_config_text(*shared_text, *config, options.name, options.config_file);
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
    // What the new node will read: the same settings, its own name.
    auto written_config = load_collector_config(staged.config_file());
    if (!written_config) return tl::unexpected(written_config.error());
    if (written_config->cluster.node != options.name) {
      return fail(ErrorCode::kInvalid, options.config_file.string() +
                                           ": could not name the new node in its [cluster] "
                                           "table; add `node = \"" +
                                           options.name +
                                           "\"` there by hand or give a file without [cluster]");
    }
    for (std::size_t i = 0; i < std::size(shared); ++i) {
      // Through a reference: GCC 12 with -fsanitize=undefined miscompiles a member-function
      // call through an element of an array captured by reference (`make sanitize` crashed).
      const Shared& file = shared[i];
      if (auto r = write_file_atomic((staged.*file.path)(), contents[i], file.mode); !r) return r;
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
