#pragma once
// PostgreSQL, not ported yet: custom actions and catalog proposals. Every call fails with
// kUnavailable instead of crashing; the backend stays unselectable in open_store() until every area
// is ported.

#include "collector/storage/catalog_repository.hpp"

namespace triage::collector {

class PgUnportedCatalogRepository final : public CatalogRepository {
 public:
  Result<std::optional<CustomAction>> find_custom_action(std::string_view) override {
    return unavailable();
  }
  Result<std::vector<CustomAction>> list_custom_actions() override { return unavailable(); }
  Result<std::optional<CatalogProposal>> find_catalog_proposal(std::int64_t) override {
    return unavailable();
  }
  Result<std::vector<CatalogProposal>> list_catalog_proposals(std::optional<ProposalStatus>,
                                                              int) override {
    return unavailable();
  }
  Result<void> insert_custom_action(const CustomAction&) override { return unavailable(); }
  Result<bool> replace_custom_action(const CustomAction&, std::string_view) override {
    return unavailable();
  }
  Result<void> delete_custom_action(std::string_view) override { return unavailable(); }
  Result<std::int64_t> insert_catalog_proposal(const CatalogProposal&) override {
    return unavailable();
  }
  Result<bool> decide_catalog_proposal(const CatalogProposal&) override { return unavailable(); }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "catalog: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
