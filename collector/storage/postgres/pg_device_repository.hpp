#pragma once
// PostgreSQL: enrollment tokens and enrolled devices.

#include "collector/storage/device_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"

namespace triage::collector {

class PgDeviceRepository final : public DeviceRepository {
 public:
  explicit PgDeviceRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::vector<EnrollmentToken>> list_enrollment_tokens() override;
  Result<void> check_enrollment_token(std::string_view token_hash, TimePoint now) override;
  Result<std::optional<Device>> find_device(std::string_view id) override;
  Result<std::vector<Device>> list_devices() override;
  Result<void> insert_enrollment_token(const EnrollmentToken& token) override;
  Result<void> revoke_enrollment_token(std::string_view id, TimePoint when) override;
  Result<std::string> enroll_device(std::string_view token_hash, const Device& device,
                                    TimePoint now) override;
  Result<void> revoke_device(std::string_view id, TimePoint when) override;
  Result<void> record_hello(std::string_view device_id, const DeviceHelloFacts& facts,
                            TimePoint when) override;
  Result<void> touch_device(std::string_view device_id, TimePoint when) override;
  Result<void> renew_certificate(std::string_view device_id, std::string_view presented_sha256,
                                 std::string_view new_sha256) override;
  Result<void> retire_previous_certificate(std::string_view device_id) override;
  Result<Device> update_device(std::string_view id, const DeviceUpdate& update) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
