#pragma once
// The PostgreSQL transaction handles: one repository object per area over a Connector (the
// write transaction's connection, or the pool for plain reads). Every area has its
// Pg<Area>Repository member in PgAreas.

#include "collector/storage/postgres/pg_audit_repository.hpp"
#include "collector/storage/postgres/pg_auth_repository.hpp"
#include "collector/storage/postgres/pg_catalog_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"
#include "collector/storage/postgres/pg_device_repository.hpp"
#include "collector/storage/postgres/pg_live_repository.hpp"
#include "collector/storage/postgres/pg_order_repository.hpp"
#include "collector/storage/postgres/pg_outbox_repository.hpp"
#include "collector/storage/postgres/pg_problem_repository.hpp"
#include "collector/storage/postgres/pg_report_partitions.hpp"
#include "collector/storage/postgres/pg_report_repository.hpp"
#include "collector/storage/postgres/pg_ticket_repository.hpp"
#include "collector/storage/transaction.hpp"

namespace triage::collector {

/// What the repositories of one store share beyond their connection.
struct PgStoreState {
  PgReportPartitions partitions;
};

/// Every area's repository over one connector.
struct PgAreas {
  PgAreas(postgres::Connector& connector, PgStoreState& state)
      : devices(connector),
        auth(connector),
        reports(connector, state.partitions),
        tickets(connector),
        problems(connector),
        orders(connector),
        audit(connector),
        outbox(connector),
        catalog(connector),
        live(connector) {}

  PgDeviceRepository devices;
  PgAuthRepository auth;
  PgReportRepository reports;
  PgTicketRepository tickets;
  PgProblemRepository problems;
  PgOrderRepository orders;
  PgAuditRepository audit;
  PgOutboxRepository outbox;
  PgCatalogRepository catalog;
  PgLiveRepository live;
};

/// Plain reads: each call on a pooled connection (or on the thread's open write transaction).
class PgReadTx final : public ReadTx {
 public:
  PgReadTx(postgres::Connector& connector, PgStoreState& state) : areas_(connector, state) {}
  DeviceReader& devices() override { return areas_.devices; }
  AuthReader& auth() override { return areas_.auth; }
  ReportReader& reports() override { return areas_.reports; }
  TicketReader& tickets() override { return areas_.tickets; }
  ProblemReader& problems() override { return areas_.problems; }
  OrderReader& orders() override { return areas_.orders; }
  AuditReader& audit() override { return areas_.audit; }
  OutboxReader& outbox() override { return areas_.outbox; }
  CatalogReader& catalog() override { return areas_.catalog; }
  LiveReader& live() override { return areas_.live; }

 private:
  PgAreas areas_;
};

/// One write transaction on one connection.
class PgWriteTx final : public WriteTx {
 public:
  PgWriteTx(postgres::Connection& conn, PgStoreState& state)
      : connector_(conn), areas_(connector_, state) {}
  DeviceRepository& devices() override { return areas_.devices; }
  AuthRepository& auth() override { return areas_.auth; }
  ReportRepository& reports() override { return areas_.reports; }
  TicketRepository& tickets() override { return areas_.tickets; }
  ProblemRepository& problems() override { return areas_.problems; }
  OrderRepository& orders() override { return areas_.orders; }
  AuditRepository& audit() override { return areas_.audit; }
  OutboxRepository& outbox() override { return areas_.outbox; }
  CatalogRepository& catalog() override { return areas_.catalog; }
  LiveRepository& live() override { return areas_.live; }

 private:
  postgres::TxConnector connector_;
  PgAreas areas_;
};

}  // namespace triage::collector
