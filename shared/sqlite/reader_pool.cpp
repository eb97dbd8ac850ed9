#include "shared/sqlite/reader_pool.hpp"

namespace triage::sqlite {

Result<ReaderPool::Lease> ReaderPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(db));
  }
  ++open_;
  lock.unlock();
  auto db = Database::open(path_);
  if (db) {
    // Belt and braces: a reader never writes.
    if (auto r = (*db)->exec("PRAGMA query_only = 1"); r) return Lease(*this, std::move(*db));
  }
  std::lock_guard relock(mutex_);
  --open_;
  available_.notify_one();
  return fail("opening a read connection to " + path_ +
              (db ? std::string() : ": " + db.error().message));
}

void ReaderPool::release(std::unique_ptr<Database> db) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
  }
  available_.notify_one();
}

}  // namespace triage::sqlite
