#pragma once
// Enrollment tokens and enrolled devices.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class DeviceReader {
 public:
  virtual ~DeviceReader() = default;

  /// Every enrollment token (hashes, never secrets), newest first.
  virtual Result<std::vector<EnrollmentToken>> list_enrollment_tokens() = 0;
  /// kDenied with a clear reason unless the token exists, has not expired and has uses left.
  /// A read only: enroll_device checks again, atomically, when it counts the use.
  virtual Result<void> check_enrollment_token(std::string_view token_hash, TimePoint now) = 0;
  virtual Result<std::optional<Device>> find_device(std::string_view id) = 0;
  virtual Result<std::vector<Device>> list_devices() = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class DeviceRepository : public DeviceReader {
 public:
  virtual Result<void> insert_enrollment_token(const EnrollmentToken& token) = 0;
  /// Marks the token revoked (the first time is kept); kNotFound if unknown.
  virtual Result<void> revoke_enrollment_token(std::string_view id, TimePoint when) = 0;
  /// In one transaction: checks the token (exists, not expired, uses left), counts one use
  /// and inserts the device. kDenied with a clear reason when the token is not usable.
  /// Returns the id of the token used.
  virtual Result<std::string> enroll_device(std::string_view token_hash, const Device& device,
                                            TimePoint now) = 0;
  /// Marks a device revoked; kNotFound if unknown. Revoking twice keeps the first time.
  virtual Result<void> revoke_device(std::string_view id, TimePoint when) = 0;
  /// A renewal: `new_sha256` becomes the certificate of a device that is not revoked and
  /// presented `presented_sha256`, its current certificate (which becomes the previous one) or
  /// its previous one (a renewal whose answer never arrived; the previous one stays).
  /// kConflict when it presented neither or is revoked; kNotFound for an unknown device.
  virtual Result<void> renew_certificate(std::string_view device_id,
                                         std::string_view presented_sha256,
                                         std::string_view new_sha256) = 0;
  /// Forgets the previous certificate, once the device has connected with its current one.
  virtual Result<void> retire_previous_certificate(std::string_view device_id) = 0;
  virtual Result<void> record_hello(std::string_view device_id, const DeviceHelloFacts& facts,
                                    TimePoint when) = 0;
  virtual Result<void> touch_device(std::string_view device_id, TimePoint when) = 0;
  /// Sets the owner and/or tags of a device; kNotFound if unknown. Returns it as stored after.
  virtual Result<Device> update_device(std::string_view id, const DeviceUpdate& update) = 0;
};

}  // namespace triage::collector
