#pragma once
// How a repository reaches its connection: the open transaction's inside a write, one leased
// from the pool for each plain read. The repositories are written once against this.

#include <optional>
#include <utility>

#include "collector/storage/postgres/pg_pool.hpp"
#include "shared/util/result.hpp"

namespace triage::postgres {

/// A connection for one repository call: borrowed (a transaction's) or leased (a read's).
class ConnectionRef {
 public:
  explicit ConnectionRef(Connection& borrowed) : conn_(&borrowed) {}
  explicit ConnectionRef(Pool::Lease lease) : lease_(std::move(lease)), conn_(lease_->get()) {}
  ConnectionRef(ConnectionRef&& other) noexcept = default;
  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_; }

 private:
  std::optional<Pool::Lease> lease_;
  Connection* conn_;
};

class Connector {
 public:
  virtual ~Connector() = default;
  /// The connection the next statements run on.
  virtual Result<ConnectionRef> acquire() = 0;
  /// True inside a write transaction: the repository may lock rows for the rest of it.
  virtual bool in_write() const = 0;
};

/// The connector of a write transaction: always its connection.
class TxConnector final : public Connector {
 public:
  explicit TxConnector(Connection& conn) : conn_(conn) {}
  Result<ConnectionRef> acquire() override { return ConnectionRef(conn_); }
  bool in_write() const override { return true; }

 private:
  Connection& conn_;
};

}  // namespace triage::postgres
