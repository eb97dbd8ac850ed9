#pragma once
// Custom actions an admin adds, changes and deletes over the API. They are stored behind the
// Store interface (the definition text as uploaded), validated by the same parser as the
// built-in files, and may never shadow a built-in or file-defined id, which stay immutable.
// Each change commits with its audit record (catalog.action_created/updated/deleted, old and
// new hash) and takes effect at once: the catalog is re-signed and pushed to connected agents.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "collector/actions/action_catalog.hpp"
#include "collector/actions/order_service.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

class AuditLog;

/// Who changes the catalog, for the audit log.
struct CatalogActor {
  std::string user;
  std::string source;  ///< peer address
};

/// `base` plus the stored custom actions. A stored action that no longer validates or whose
/// id `base` defines is left out and named in `skipped` (the collector still starts).
ActionCatalog build_catalog(const ActionCatalog& base, const std::vector<CustomAction>& stored,
                            std::vector<std::string>* skipped = nullptr);

/// The catalog's identity: lowercase hex SHA-256 of "<id> <version> <definition sha256>\n"
/// for every action, in id order.
std::string catalog_sha256(const ActionCatalog& catalog);

/// Records `catalog.loaded` (actor system) unless the newest catalog.* audit record already
/// names this catalog hash, i.e. only when the catalog changed since the collector last ran.
Result<void> record_catalog_loaded(Store& store, AuditLog& audit, const ActionCatalog& catalog,
                                   TimePoint now);

class CustomActions {
 public:
  /// `base`: the built-ins and definition files. The others must outlive this.
  CustomActions(Store& store, OrderService& orders, AuditLog& audit, ActionCatalog base);

  /// Adds the action `definition_text` defines. kInvalid naming the key, kConflict when the
  /// id exists (built-in, file or custom).
  Result<ActionDefinition> create(std::string_view definition_text, const CatalogActor& actor,
                                  TimePoint now);
  /// Replaces custom action `id` by a new version. kInvalid (bad definition, other id, version
  /// not greater than the stored one), kNotFound, kConflict (built-in or file-defined id).
  Result<ActionDefinition> update(const std::string& id, std::string_view definition_text,
                                  const CatalogActor& actor, TimePoint now);
  /// Deletes custom action `id`. kNotFound, kConflict for a built-in or file-defined id.
  Result<void> remove(const std::string& id, const CatalogActor& actor, TimePoint now);

 private:
  Result<ActionDefinition> parse(std::string_view text, const std::string& id_wanted) const;
  Result<void> refuse_base(const std::string& id) const;
  /// Rebuilds the catalog from the store and makes it the orders' catalog.
  Result<void> publish();

  Store& store_;
  OrderService& orders_;
  AuditLog& audit_;
  ActionCatalog base_;
  std::mutex mutex_;  ///< one change at a time
};

}  // namespace triage::collector
