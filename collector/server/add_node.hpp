#pragma once
// `triage-collector node add`: the data directory of another collector node of a cluster
// (several nodes sharing one PostgreSQL database), made from an existing node's.

#include <filesystem>
#include <string>
#include <vector>

#include "collector/server/data_dir.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct AddNodeOptions {
  /// The new node's DNS name: its server certificate's subject and first name (besides
  /// localhost, 127.0.0.1 and ::1).
  std::string name;
  /// The new node's IP addresses, also in its server certificate.
  std::vector<std::string> ip_addresses;
  /// The cluster's configuration file; its [storage] must be PostgreSQL. Copied with the new
  /// node's name as its [cluster] node (refused when it names another node).
  std::filesystem::path config_file;
};

/// Makes `to` the data directory of another node of `from`'s cluster: the same CA certificate
/// and key (every node signs device certificates at enrollment), order-signing key pair and
/// integrations.key, byte for byte, secrets 0600; a server key and certificate of its own,
/// signed by the CA for `options.name`; and the configuration (collector.toml, 0600: its url
/// may hold a password) naming `options.name` as the node. Nothing appears at `to` until all of it
/// is written. kConflict when `to` exists (and is not an empty directory); kInvalid for a
/// configuration that is not PostgreSQL's or a name missing; kNotFound when `from` lacks a file
/// (integrations.key comes with the first `serve`).
Result<void> add_node(const DataDir& from, const DataDir& to, const AddNodeOptions& options);

}  // namespace triage::collector
