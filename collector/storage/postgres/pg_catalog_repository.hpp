#pragma once
// PostgreSQL: custom actions managed over the API and catalog changes waiting for a second
// person. Every change is conditional (on the stored hash, on a proposal still pending), so
// two admins racing change it once.

#include "collector/storage/catalog_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"

namespace triage::collector {

class PgCatalogRepository final : public CatalogRepository {
 public:
  explicit PgCatalogRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::optional<CustomAction>> find_custom_action(std::string_view id) override;
  Result<std::vector<CustomAction>> list_custom_actions() override;
  Result<std::optional<CatalogProposal>> find_catalog_proposal(std::int64_t id) override;
  Result<std::vector<CatalogProposal>> list_catalog_proposals(std::optional<ProposalStatus> status,
                                                              int limit) override;
  Result<void> insert_custom_action(const CustomAction& action) override;
  Result<bool> replace_custom_action(const CustomAction& action,
                                     std::string_view expected_sha256) override;
  Result<void> delete_custom_action(std::string_view id) override;
  Result<std::int64_t> insert_catalog_proposal(const CatalogProposal& proposal) override;
  Result<bool> decide_catalog_proposal(const CatalogProposal& proposal) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
