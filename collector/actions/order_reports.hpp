#pragma once
// What the agent reports about an order it was sent: progress, output, result. The agent is
// authenticated but its words are hostile input: texts are clipped, and an order of another
// device is never touched. An action's stdout that is a file (the log bundle) is filed as a
// ticket attachment only when its size and SHA-256 match the agent's result.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "collector/actions/action_catalog.hpp"
#include "collector/actions/order_ledger.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

class OrderReports {
 public:
  /// The catalog in force now (an order's definition says whether its stdout is a file).
  using CatalogSource = std::function<std::shared_ptr<const ActionCatalog>()>;

  /// `store` and `ledger` must outlive the reports.
  OrderReports(Store& store, OrderLedger& ledger, CatalogSource catalog);

  // `device_id` is the authenticated device; reports naming another device's order are
  // ignored.
  Result<void> record_update(const std::string& device_id, const v1::OrderUpdate& update);
  /// `received_at`: when the chunk reached the collector; the first one stored becomes the
  /// order's `first_output_at`.
  Result<void> record_output(const std::string& device_id, const v1::OrderOutput& output,
                             TimePoint received_at);
  /// Commits the result, its timeline entry and time entry. Returns only once durable.
  Result<void> record_result(const std::string& device_id, const v1::OrderResult& result);

 private:
  Store& store_;
  OrderLedger& ledger_;
  CatalogSource catalog_;
};

}  // namespace triage::collector
