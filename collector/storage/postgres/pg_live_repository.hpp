#pragma once
// PostgreSQL: live sessions (a technician watching a device second by second) and their
// samples, stored by whichever node holds the device's connection and read by any. Every
// change is one conditional statement (on the session not having ended, ON CONFLICT for a
// sample received twice), so nodes racing on one session change it once.

#include "collector/storage/live_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"

namespace triage::collector {

class PgLiveRepository final : public LiveRepository {
 public:
  explicit PgLiveRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::optional<LiveSession>> find_live_session(std::string_view id) override;
  Result<std::optional<LiveSession>> running_live_session(std::string_view device_id,
                                                          TimePoint now) override;
  Result<std::int64_t> count_running_live_sessions(TimePoint now) override;
  Result<std::vector<LiveSession>> ticket_live_sessions(std::int64_t ticket_id) override;
  Result<std::vector<LiveSampleRow>> live_samples_after(std::string_view session_id,
                                                        std::uint32_t after_seq,
                                                        int limit) override;
  Result<void> insert_live_session(const LiveSession& session) override;
  Result<bool> extend_live_session(std::string_view id, TimePoint ends_at) override;
  Result<bool> end_live_session(std::string_view id, TimePoint ended_at,
                                std::string_view reason) override;
  Result<std::vector<std::string>> end_device_live_sessions(std::string_view device_id,
                                                            TimePoint ended_at,
                                                            std::string_view reason) override;
  Result<std::size_t> append_live_samples(const std::vector<LiveSampleRow>& samples) override;
  Result<std::size_t> prune_live_samples(TimePoint cutoff) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
