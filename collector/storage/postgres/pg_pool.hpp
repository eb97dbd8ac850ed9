#pragma once
// A small pool of PostgreSQL connections shared by a store's threads: connections are opened
// on demand up to a limit, handed to one thread at a time and kept for reuse (with their
// prepared statements). A connection the server dropped is closed instead of returned.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collector/storage/postgres/pg_connection.hpp"
#include "shared/util/result.hpp"

namespace triage::postgres {

class Pool {
 public:
  /// A connection on loan; back to the pool when the lease goes.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }
    Connection* get() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  /// `max_size` connections at most; acquire() waits up to `wait` for one to come back.
  Pool(std::string conninfo, std::size_t max_size,
       std::chrono::milliseconds wait = std::chrono::seconds(10))
      : conninfo_(std::move(conninfo)), max_size_(max_size), wait_(wait) {}

  /// An idle connection, a new one while under the limit, or one returned within the wait;
  /// kUnavailable otherwise.
  Result<Lease> acquire();

 private:
  void give_back(std::unique_ptr<Connection> conn);

  const std::string conninfo_;
  const std::size_t max_size_;
  const std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle + leased
};

}  // namespace triage::postgres
