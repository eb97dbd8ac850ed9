#pragma once
// triage-bench-storage's second mode: report inserts through a collector Store (SQLite or
// PostgreSQL), in write transactions of the ingest writer's batch size, as the ingest writer
// commits them.

#include <cstddef>
#include <string>

#include "collector/storage/store.hpp"

namespace triage::bench {

struct StorePathOptions {
  std::size_t rows = 200'000;
  std::size_t batch = 1000;
  std::size_t payload_bytes = 3572;
  std::size_t devices = 10'000;
  std::string label;  ///< "sqlite store", "postgres store"
};

/// Inserts `rows` deltas through `store` and prints one line of results; non-zero on error.
int run_through_store(collector::Store& store, const StorePathOptions& options);

}  // namespace triage::bench
