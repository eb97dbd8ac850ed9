#pragma once
// Reads back the status of RT tickets linked to open triage tickets, for RT targets with
// `poll_status`: when RT says a linked ticket is resolved, the triage ticket is resolved as a
// technician's resolve would, which takes the verification snapshot of its devices (and that
// comparison goes back to RT as a comment). One thread of its own; each round is bounded by
// the RT timeouts.

#include <memory>

#include "collector/integrations/credential_cipher.hpp"
#include "collector/integrations/rt/rt_client.hpp"
#include "collector/storage/leadership.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "shared/util/periodic_task.hpp"

namespace triage::collector {

class RtStatusPoller {
 public:
  /// With a `leadership`, the thread's rounds run only while this process leads (one
  /// collector node of a cluster polls RT); it outlives the poller.
  RtStatusPoller(Store& store, TicketService& tickets, transport::SslContextPtr tls,
                 RtSettings settings, std::shared_ptr<const CredentialCipher> cipher,
                 std::chrono::milliseconds interval, Leadership* leadership = nullptr);
  ~RtStatusPoller();
  RtStatusPoller(const RtStatusPoller&) = delete;
  RtStatusPoller& operator=(const RtStatusPoller&) = delete;

  void start();
  void stop();
  /// One round over every polling RT target; the number of triage tickets resolved.
  int poll_once();

 private:
  Store& store_;
  TicketService& tickets_;
  transport::SslContextPtr tls_;
  RtSettings settings_;
  std::shared_ptr<const CredentialCipher> cipher_;
  Leadership* leadership_;
  PeriodicTask task_;  ///< last: stopped before what it uses is gone
};

}  // namespace triage::collector
