#pragma once
// The collector's storage interface. Implementations sit in sibling folders (sqlite/ now,
// postgres/ for scale-out); nothing SQL- or engine-specific crosses this line, and no domain
// rule runs inside an implementation (the audit chain is AuditLog's, outbox planning the
// ticket services'). open_store() (open_store.hpp) is the one place that names a backend.

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "collector/storage/transaction.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The store: every read and write goes through a transaction handle, one repository per area
/// (transaction.hpp).
class Store {
 public:
  virtual ~Store() = default;

  /// Runs `body(tx)` in one write transaction and returns what it returns: committed when it
  /// returns a value, rolled back when it returns an error. The store may run `body` again
  /// when the backend reports a serialization failure, so `body` changes nothing but `tx`
  /// (and what it returns). Inside a write() on the same thread, a nested write() joins as a
  /// savepoint: its failure undoes only its own writes. `body` holds the writer: keep it
  /// short (no password hashing, no network).
  template <class Fn>
  auto write(Fn&& body) -> std::invoke_result_t<Fn&, WriteTx&> {
    using R = std::invoke_result_t<Fn&, WriteTx&>;
    std::optional<R> result;
    auto done = run_write([&](WriteTx& tx) -> Result<void> {
      result.emplace(body(tx));
      if (!*result) return tl::unexpected(result->error());
      return {};
    });
    if (result && !*result) return std::move(*result);
    if (!done) return tl::unexpected(done.error());
    return std::move(*result);
  }

  /// Plain reads of committed state (from any thread).
  virtual ReadTx& read() = 0;

 protected:
  /// write() without the template: runs `body` in one transaction as described there.
  virtual Result<void> run_write(const std::function<Result<void>(WriteTx&)>& body) = 0;
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace triage::collector
