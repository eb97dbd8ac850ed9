// PostgreSQL: enrollment tokens and enrolled devices.
#include "collector/storage/postgres/pg_device_repository.hpp"

#include <algorithm>

#include "collector/storage/device_tags.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using postgres::done;
using postgres::Rows;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;

namespace {

constexpr std::string_view kDeviceSelect =
    "SELECT id, hostname, certificate_sha256, enrolled_at, last_seen, revoked_at, agent_version, "
    "os_pretty_name, kernel, arch, enrollment_token_id, owner, "
    "(SELECT string_agg(tag, ',' ORDER BY tag) FROM device_tags t WHERE t.device_id = devices.id), "
    "platform, previous_certificate_sha256 FROM devices ";

Device read_device(const Rows& r, int i) {
  Device d;
  d.id = r.text(i, 0);
  d.hostname = r.text(i, 1);
  d.certificate_sha256 = r.text(i, 2);
  d.enrolled_at = from_ms(r.int64(i, 3));
  d.last_seen = from_optional_ms(r.optional_int64(i, 4));
  d.revoked_at = from_optional_ms(r.optional_int64(i, 5));
  d.agent_version = r.text(i, 6);
  d.os_pretty_name = r.text(i, 7);
  d.kernel = r.text(i, 8);
  d.arch = r.text(i, 9);
  d.enrollment_token_id = r.text(i, 10);
  d.owner = r.text(i, 11);
  d.tags = split_device_tags(r.text(i, 12));
  d.platform = r.text(i, 13);
  d.previous_certificate_sha256 = r.text(i, 14);
  return d;
}

std::vector<Device> read_devices(const Rows& r) {
  std::vector<Device> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read_device(r, i));
  return out;
}

// The id of the enrollment token with this hash when it may enroll one more device at `now`;
// kDenied with the reason otherwise. `lock`: inside a write, the token's row stays locked
// until the transaction ends, so a racing enrollment waits and then sees the use counted.
Result<std::string> usable_enrollment_token(postgres::Connection& conn, std::string_view token_hash,
                                            TimePoint now, bool lock) {
  auto token = conn.query(lock ? "SELECT id, expires_at, max_uses, uses, revoked_at IS NOT NULL "
                                 "FROM enrollment_tokens WHERE token_hash = $1 FOR UPDATE"
                               : "SELECT id, expires_at, max_uses, uses, revoked_at IS NOT NULL "
                                 "FROM enrollment_tokens WHERE token_hash = $1",
                          token_hash);
  if (!token) return tl::unexpected(token.error());
  if (token->empty()) return fail(ErrorCode::kDenied, "enrollment token is not valid");
  if (token->boolean(0, 4)) {
    return fail(ErrorCode::kDenied, "enrollment token was revoked; ask an admin for a new one");
  }
  if (from_ms(token->int64(0, 1)) <= now) {
    return fail(ErrorCode::kDenied, "enrollment token has expired; ask an admin for a new one");
  }
  if (token->int64(0, 3) >= token->int64(0, 2)) {
    return fail(ErrorCode::kDenied, "enrollment token has no uses left");
  }
  return token->text(0, 0);
}

}  // namespace

Result<std::vector<EnrollmentToken>> PgDeviceRepository::list_enrollment_tokens() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT id, token_hash, created_at, expires_at, max_uses, uses, created_by, revoked_at "
      "FROM enrollment_tokens ORDER BY created_at DESC, id");
  if (!r) return tl::unexpected(r.error());
  std::vector<EnrollmentToken> out;
  for (int i = 0; i < r->size(); ++i) {
    EnrollmentToken t;
    t.id = r->text(i, 0);
    t.token_hash = r->text(i, 1);
    t.created_at = from_ms(r->int64(i, 2));
    t.expires_at = from_ms(r->int64(i, 3));
    t.max_uses = static_cast<int>(r->int64(i, 4));
    t.uses = static_cast<int>(r->int64(i, 5));
    t.created_by = r->text(i, 6);
    t.revoked_at = from_optional_ms(r->optional_int64(i, 7));
    out.push_back(std::move(t));
  }
  return out;
}

Result<void> PgDeviceRepository::check_enrollment_token(std::string_view token_hash,
                                                        TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto id = usable_enrollment_token(**conn, token_hash, now, false);
  if (!id) return tl::unexpected(id.error());
  return {};
}

Result<std::optional<Device>> PgDeviceRepository::find_device(std::string_view id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(std::string(kDeviceSelect) + "WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<Device>();
  return std::optional<Device>(read_device(*r, 0));
}

Result<std::vector<Device>> PgDeviceRepository::list_devices() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // COLLATE "C": the byte order SQLite sorts by, whatever the database's locale.
  auto r = (*conn)->query(std::string(kDeviceSelect) + "ORDER BY hostname COLLATE \"C\", id");
  if (!r) return tl::unexpected(r.error());
  return read_devices(*r);
}

Result<void> PgDeviceRepository::insert_enrollment_token(const EnrollmentToken& t) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done((*conn)->query(
      "INSERT INTO enrollment_tokens(id, token_hash, created_at, expires_at, max_uses, uses, "
      "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      t.id, t.token_hash, to_ms(t.created_at), to_ms(t.expires_at), t.max_uses, t.uses,
      t.created_by));
}

Result<void> PgDeviceRepository::revoke_enrollment_token(std::string_view id, TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "UPDATE enrollment_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
      to_ms(when), id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0)
    return fail(ErrorCode::kNotFound, "no enrollment token " + std::string(id));
  return {};
}

Result<std::string> PgDeviceRepository::enroll_device(std::string_view token_hash,
                                                      const Device& device, TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto usable = usable_enrollment_token(**conn, token_hash, now, connector_.in_write());
  if (!usable) return tl::unexpected(usable.error());
  if (auto r =
          (*conn)->query("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = $1", *usable);
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = (*conn)->query(
          "INSERT INTO devices(id, hostname, certificate_sha256, enrolled_at, enrollment_token_id) "
          "VALUES ($1, $2, $3, $4, $5)",
          device.id, device.hostname, device.certificate_sha256, to_ms(device.enrolled_at),
          *usable);
      !r) {
    return tl::unexpected(r.error());
  }
  return *usable;
}

Result<void> PgDeviceRepository::revoke_device(std::string_view id, TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query("UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
                          to_ms(when), id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return fail(ErrorCode::kNotFound, "no device " + std::string(id));
  return {};
}

Result<void> PgDeviceRepository::renew_certificate(std::string_view device_id,
                                                   std::string_view presented_sha256,
                                                   std::string_view new_sha256) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // SET reads the row as it was: the previous certificate becomes the presented one only when
  // that was the current one.
  auto r = (*conn)->query(
      "UPDATE devices SET previous_certificate_sha256 = CASE WHEN certificate_sha256 = $1 THEN "
      "certificate_sha256 ELSE previous_certificate_sha256 END, certificate_sha256 = $2 "
      "WHERE id = $3 AND revoked_at IS NULL AND (certificate_sha256 = $1 OR "
      "(previous_certificate_sha256 <> '' AND previous_certificate_sha256 = $1))",
      presented_sha256, new_sha256, device_id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() > 0) return {};
  auto exists = (*conn)->query("SELECT 1 FROM devices WHERE id = $1", device_id);
  if (!exists) return tl::unexpected(exists.error());
  if (exists->size() == 0) return fail(ErrorCode::kNotFound, "no device " + std::string(device_id));
  return fail(ErrorCode::kConflict, "device " + std::string(device_id) +
                                        " is revoked or presented a certificate it no longer has");
}

Result<void> PgDeviceRepository::retire_previous_certificate(std::string_view device_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done(
      (*conn)->query("UPDATE devices SET previous_certificate_sha256 = '' WHERE id = $1 AND "
                     "previous_certificate_sha256 <> ''",
                     device_id));
}

Result<void> PgDeviceRepository::record_hello(std::string_view device_id, const DeviceHelloFacts& f,
                                              TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done((*conn)->query(
      "UPDATE devices SET hostname = $1, agent_version = $2, os_pretty_name = $3, kernel = $4, "
      "arch = $5, platform = $6, last_seen = $7 WHERE id = $8",
      f.hostname, f.agent_version, f.os_pretty_name, f.kernel, f.arch, f.platform, to_ms(when),
      device_id));
}

Result<void> PgDeviceRepository::touch_device(std::string_view device_id, TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done(
      (*conn)->query("UPDATE devices SET last_seen = $1 WHERE id = $2", to_ms(when), device_id));
}

Result<Device> PgDeviceRepository::update_device(std::string_view id, const DeviceUpdate& update) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (update.owner) {
    if (auto r = (*conn)->query("UPDATE devices SET owner = $1 WHERE id = $2", *update.owner, id);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  if (update.tags) {
    if (auto r = (*conn)->query("DELETE FROM device_tags WHERE device_id = $1", id); !r) {
      return tl::unexpected(r.error());
    }
    for (const auto& tag : *update.tags) {
      if (auto r = (*conn)->query(
              "INSERT INTO device_tags(device_id, tag) SELECT id, $1 FROM devices WHERE id = $2 "
              "ON CONFLICT DO NOTHING",
              tag, id);
          !r) {
        return tl::unexpected(r.error());
      }
    }
  }
  auto r = (*conn)->query(std::string(kDeviceSelect) + "WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return fail(ErrorCode::kNotFound, "no device " + std::string(id));
  return read_device(*r, 0);
}

}  // namespace triage::collector
