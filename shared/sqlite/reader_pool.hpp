#pragma once
// Read connections to one SQLite file, opened on demand and reused. In WAL mode each reads
// the last committed state without waiting for the writer.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shared/sqlite/database.hpp"

namespace triage::sqlite {

class ReaderPool {
 public:
  /// A borrowed connection, returned to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Database> db) : pool_(&pool), db_(std::move(db)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (db_) pool_->release(std::move(db_));
    }
    Database* get() const { return db_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Database> db_;
  };

  explicit ReaderPool(std::string path, std::size_t max_connections = 8)
      : path_(std::move(path)), max_(max_connections) {}

  /// A connection for reading; waits when all `max_connections` are in use.
  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<Database> db);

  std::string path_;
  std::size_t max_;
  std::size_t open_ = 0;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace triage::sqlite
