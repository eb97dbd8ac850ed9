// SqliteStore: enrollment tokens and enrolled devices.
#include <algorithm>

#include "collector/storage/device_tags.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;

namespace {

constexpr const char* kDeviceColumns =
    "id, hostname, certificate_sha256, enrolled_at, last_seen, revoked_at, agent_version, "
    "os_pretty_name, kernel, arch, enrollment_token_id, owner, "
    "(SELECT group_concat(tag, ',') FROM device_tags t WHERE t.device_id = devices.id), "
    "platform, previous_certificate_sha256";

Device read_device(const Statement& s) {
  Device d;
  d.id = s.column_text(0);
  d.hostname = s.column_text(1);
  d.certificate_sha256 = s.column_text(2);
  d.enrolled_at = from_ms(s.column_int(3));
  d.last_seen = from_optional_ms(s.column_optional_int(4));
  d.revoked_at = from_optional_ms(s.column_optional_int(5));
  d.agent_version = s.column_text(6);
  d.os_pretty_name = s.column_text(7);
  d.kernel = s.column_text(8);
  d.arch = s.column_text(9);
  d.enrollment_token_id = s.column_text(10);
  d.owner = s.column_text(11);
  d.tags = split_device_tags(s.column_text(12));
  d.platform = s.column_text(13);
  d.previous_certificate_sha256 = s.column_text(14);
  return d;
}

EnrollmentToken read_enrollment_token(const Statement& s) {
  EnrollmentToken t;
  t.id = s.column_text(0);
  t.token_hash = s.column_text(1);
  t.created_at = from_ms(s.column_int(2));
  t.expires_at = from_ms(s.column_int(3));
  t.max_uses = static_cast<int>(s.column_int(4));
  t.uses = static_cast<int>(s.column_int(5));
  t.created_by = s.column_text(6);
  t.revoked_at = from_optional_ms(s.column_optional_int(7));
  return t;
}

// The id of the enrollment token with this hash when it may enroll one more device at `now`;
// kDenied with the reason otherwise.
Result<std::string> usable_enrollment_token(sqlite::Database& db, std::string_view token_hash,
                                            TimePoint now) {
  auto token = db.query(
      "SELECT id, expires_at, max_uses, uses, revoked_at IS NOT NULL FROM enrollment_tokens "
      "WHERE token_hash = ?",
      token_hash);
  if (!token) return tl::unexpected(token.error());
  auto row = token->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kDenied, "enrollment token is not valid");
  if (token->column_int(4) != 0) {
    return fail(ErrorCode::kDenied, "enrollment token was revoked; ask an admin for a new one");
  }
  if (from_ms(token->column_int(1)) <= now) {
    return fail(ErrorCode::kDenied, "enrollment token has expired; ask an admin for a new one");
  }
  if (token->column_int(3) >= token->column_int(2)) {
    return fail(ErrorCode::kDenied, "enrollment token has no uses left");
  }
  return token->column_text(0);
}

}  // namespace

Result<void> SqliteStore::insert_enrollment_token(const EnrollmentToken& t) {
  std::lock_guard lock(write_mutex_);
  auto r = db_->exec_with(
      "INSERT INTO enrollment_tokens(id, token_hash, created_at, expires_at, max_uses, uses, "
      "created_by) VALUES (?,?,?,?,?,?,?)",
      t.id, t.token_hash, to_ms(t.created_at), to_ms(t.expires_at), t.max_uses, t.uses,
      t.created_by);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<std::vector<EnrollmentToken>> SqliteStore::list_enrollment_tokens() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      "SELECT id, token_hash, created_at, expires_at, max_uses, uses, created_by, revoked_at "
      "FROM enrollment_tokens ORDER BY created_at DESC, id");
  if (!st) return tl::unexpected(st.error());
  return st->rows(read_enrollment_token);
}

Result<void> SqliteStore::revoke_enrollment_token(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE enrollment_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", to_ms(when),
      id);
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) return fail(ErrorCode::kNotFound, "no enrollment token " + std::string(id));
  return {};
}

Result<void> SqliteStore::check_enrollment_token(std::string_view token_hash, TimePoint now) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto id = usable_enrollment_token(*reader->get(), token_hash, now);
  if (!id) return tl::unexpected(id.error());
  return {};
}

Result<std::string> SqliteStore::enroll_device(std::string_view token_hash, const Device& device,
                                               TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::string> {
    auto usable = usable_enrollment_token(*db_, token_hash, now);
    if (!usable) return tl::unexpected(usable.error());
    const std::string token_id = *usable;
    if (auto r =
            db_->exec_with("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ?", token_id);
        !r) {
      return tl::unexpected(r.error());
    }
    if (auto r =
            db_->exec_with("INSERT INTO devices(id, hostname, certificate_sha256, enrolled_at, "
                           "enrollment_token_id) VALUES (?,?,?,?,?)",
                           device.id, device.hostname, device.certificate_sha256,
                           to_ms(device.enrolled_at), token_id);
        !r) {
      return tl::unexpected(r.error());
    }
    return token_id;
  });
}

Result<std::optional<Device>> SqliteStore::find_device(std::string_view id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE id = ?", id);
  if (!st) return tl::unexpected(st.error());
  return st->first(read_device);
}

Result<std::vector<Device>> SqliteStore::list_devices() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kDeviceColumns +
                                 " FROM devices ORDER BY hostname, id");
  if (!st) return tl::unexpected(st.error());
  return st->rows(read_device);
}

Result<void> SqliteStore::revoke_device(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", to_ms(when), id);
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) return fail(ErrorCode::kNotFound, "no device " + std::string(id));
  return {};
}

Result<void> SqliteStore::renew_certificate(std::string_view device_id,
                                            std::string_view presented_sha256,
                                            std::string_view new_sha256) {
  std::lock_guard lock(write_mutex_);
  // SET reads the row as it was: the previous certificate becomes the presented one only when
  // that was the current one.
  auto changed = db_->exec_with(
      "UPDATE devices SET previous_certificate_sha256 = CASE WHEN certificate_sha256 = ? THEN "
      "certificate_sha256 ELSE previous_certificate_sha256 END, certificate_sha256 = ? "
      "WHERE id = ? AND revoked_at IS NULL AND (certificate_sha256 = ? OR "
      "(previous_certificate_sha256 <> '' AND previous_certificate_sha256 = ?))",
      presented_sha256, new_sha256, device_id, presented_sha256, presented_sha256);
  if (!changed) return tl::unexpected(changed.error());
  if (*changed > 0) return {};
  auto st = db_->query("SELECT 1 FROM devices WHERE id = ?", device_id);
  if (!st) return tl::unexpected(st.error());
  auto exists = st->first([](const Statement&) { return true; });
  if (!exists) return tl::unexpected(exists.error());
  if (!*exists) return fail(ErrorCode::kNotFound, "no device " + std::string(device_id));
  return fail(ErrorCode::kConflict, "device " + std::string(device_id) +
                                        " is revoked or presented a certificate it no longer has");
}

Result<void> SqliteStore::retire_previous_certificate(std::string_view device_id) {
  std::lock_guard lock(write_mutex_);
  auto r = db_->exec_with(
      "UPDATE devices SET previous_certificate_sha256 = '' WHERE id = ? AND "
      "previous_certificate_sha256 <> ''",
      device_id);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<void> SqliteStore::record_hello(std::string_view device_id, const DeviceHelloFacts& f,
                                       TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto r = db_->exec_with(
      "UPDATE devices SET hostname = ?, agent_version = ?, os_pretty_name = ?, kernel = ?, "
      "arch = ?, platform = ?, last_seen = ? WHERE id = ?",
      f.hostname, f.agent_version, f.os_pretty_name, f.kernel, f.arch, f.platform, to_ms(when),
      device_id);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<void> SqliteStore::touch_device(std::string_view device_id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto r = db_->exec_with("UPDATE devices SET last_seen = ? WHERE id = ?", to_ms(when), device_id);
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<Device> SqliteStore::update_device(std::string_view id, const DeviceUpdate& update) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<Device> {
    if (update.owner) {
      if (auto r = db_->exec_with("UPDATE devices SET owner = ? WHERE id = ?", *update.owner, id);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    if (update.tags) {
      if (auto r = db_->exec_with("DELETE FROM device_tags WHERE device_id = ?", id); !r) {
        return tl::unexpected(r.error());
      }
      for (const auto& tag : *update.tags) {
        if (auto r = db_->exec_with(
                "INSERT INTO device_tags(device_id, tag) SELECT id, ? FROM devices WHERE id = ? "
                "ON CONFLICT DO NOTHING",
                tag, id);
            !r) {
          return tl::unexpected(r.error());
        }
      }
    }
    auto st =
        db_->query(std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE id = ?", id);
    if (!st) return tl::unexpected(st.error());
    auto device = st->first(read_device);
    if (!device) return tl::unexpected(device.error());
    if (!*device) return fail(ErrorCode::kNotFound, "no device " + std::string(id));
    return std::move(**device);
  });
}

}  // namespace triage::collector
