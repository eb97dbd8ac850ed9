#pragma once
// Transaction handles: the one way into the repositories. Store::write() runs a function with
// a WriteTx whose reads see its own uncommitted writes; Store::read() gives a ReadTx for plain
// reads of committed state. Nothing engine-specific crosses this line.

#include "collector/storage/audit_repository.hpp"
#include "collector/storage/auth_repository.hpp"
#include "collector/storage/catalog_repository.hpp"
#include "collector/storage/device_repository.hpp"
#include "collector/storage/live_repository.hpp"
#include "collector/storage/order_repository.hpp"
#include "collector/storage/outbox_repository.hpp"
#include "collector/storage/problem_repository.hpp"
#include "collector/storage/report_repository.hpp"
#include "collector/storage/ticket_repository.hpp"

namespace triage::collector {

/// Plain reads of committed state, one repository per area. Each call reads the newest
/// committed state on its own (no snapshot spans two calls).
class ReadTx {
 public:
  virtual ~ReadTx() = default;
  virtual DeviceReader& devices() = 0;
  virtual AuthReader& auth() = 0;
  virtual ReportReader& reports() = 0;
  virtual TicketReader& tickets() = 0;
  virtual ProblemReader& problems() = 0;
  virtual OrderReader& orders() = 0;
  virtual AuditReader& audit() = 0;
  virtual OutboxReader& outbox() = 0;
  virtual CatalogReader& catalog() = 0;
  virtual LiveReader& live() = 0;
};

/// One write transaction, valid only inside the function given to Store::write() and only on
/// its thread. Reads through it see its own writes; everything written through it commits
/// together when the function returns a value, and nothing does when it returns an error.
class WriteTx {
 public:
  virtual ~WriteTx() = default;
  virtual DeviceRepository& devices() = 0;
  virtual AuthRepository& auth() = 0;
  virtual ReportRepository& reports() = 0;
  virtual TicketRepository& tickets() = 0;
  virtual ProblemRepository& problems() = 0;
  virtual OrderRepository& orders() = 0;
  virtual AuditRepository& audit() = 0;
  virtual OutboxRepository& outbox() = 0;
  virtual CatalogRepository& catalog() = 0;
  virtual LiveRepository& live() = 0;
};

}  // namespace triage::collector
