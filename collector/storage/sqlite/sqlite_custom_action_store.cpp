// SqliteStore: custom actions managed over the API.
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::to_ms;

namespace {

constexpr const char* kCustomActionColumns =
    "id, version, definition, sha256, created_by, updated_by, created_at, updated_at";

CustomAction read_custom_action(const Statement& s) {
  CustomAction a;
  a.id = s.column_text(0);
  a.version = static_cast<std::uint32_t>(s.column_int(1));
  a.definition = s.column_text(2);
  a.sha256 = s.column_text(3);
  a.created_by = s.column_text(4);
  a.updated_by = s.column_text(5);
  a.created_at = from_ms(s.column_int(6));
  a.updated_at = from_ms(s.column_int(7));
  return a;
}

}  // namespace

Result<void> SqliteStore::insert_custom_action(const CustomAction& a) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(std::string("INSERT INTO custom_actions(") + kCustomActionColumns +
                         ") VALUES (?,?,?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, a.id)
      .bind(2, std::int64_t{a.version})
      .bind(3, a.definition)
      .bind(4, a.sha256)
      .bind(5, a.created_by)
      .bind(6, a.updated_by)
      .bind(7, to_ms(a.created_at))
      .bind(8, to_ms(a.updated_at));
  if (auto r = st->run(); !r) {
    if (r.error().code == ErrorCode::kConflict) {
      return fail(ErrorCode::kConflict, "action `" + a.id + "` exists already");
    }
    return tl::unexpected(r.error());
  }
  return {};
}

Result<bool> SqliteStore::replace_custom_action(const CustomAction& a,
                                                std::string_view expected_sha256) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto existing = db_->prepare("SELECT sha256 FROM custom_actions WHERE id = ?");
    if (!existing) return tl::unexpected(existing.error());
    existing->bind(1, a.id);
    auto row = existing->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no custom action `" + a.id + "`");
    if (existing->column_text(0) != expected_sha256) return false;
    auto st = db_->prepare(
        "UPDATE custom_actions SET version = ?, definition = ?, sha256 = ?, updated_by = ?, "
        "updated_at = ? WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, std::int64_t{a.version})
        .bind(2, a.definition)
        .bind(3, a.sha256)
        .bind(4, a.updated_by)
        .bind(5, to_ms(a.updated_at))
        .bind(6, a.id);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    return true;
  });
}

Result<void> SqliteStore::delete_custom_action(std::string_view id) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("DELETE FROM custom_actions WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  if (auto r = st->run(); !r) return tl::unexpected(r.error());
  if (db_->changes() == 0) {
    return fail(ErrorCode::kNotFound, "no custom action `" + std::string(id) + "`");
  }
  return {};
}

Result<std::optional<CustomAction>> SqliteStore::find_custom_action(std::string_view id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kCustomActionColumns +
                                   " FROM custom_actions WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<CustomAction>();
  return std::optional<CustomAction>(read_custom_action(*st));
}

Result<std::vector<CustomAction>> SqliteStore::list_custom_actions() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kCustomActionColumns +
                                   " FROM custom_actions ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  std::vector<CustomAction> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_custom_action(*st));
  }
}

}  // namespace triage::collector
