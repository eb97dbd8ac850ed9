#include "collector/storage/postgres/pg_pool.hpp"

namespace triage::postgres {

Pool::Lease::~Lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

Result<Pool::Lease> Pool::acquire() {
  std::unique_lock lock(mutex_);
  const bool free =
      returned_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_size_; });
  if (!free) {
    return fail(ErrorCode::kUnavailable,
                "all " + std::to_string(max_size_) + " PostgreSQL connections are busy; try again");
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  // Connecting takes a round trip or more: not under the lock.
  auto conn = Connection::connect(conninfo_);
  if (!conn) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return tl::unexpected(conn.error());
  }
  return Lease(this, std::move(*conn));
}

void Pool::give_back(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  if (conn->reusable()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  returned_.notify_one();
}

}  // namespace triage::postgres
