#include "collector/channel/postgres/pg_agent_channel.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collector/channel/postgres/pg_presence_table.hpp"
#include "collector/channel/postgres/pg_relay_table.hpp"
#include "collector/storage/postgres/pg_pool.hpp"
#include "collector/storage/time_ms.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/thread_name.hpp"

namespace triage::collector {

namespace {

// Rows taken per statement when a node catches up.
constexpr int kTakeBatch = 256;
// A relayed message nobody took this long is deleted: any order in it has expired.
constexpr std::chrono::minutes kRelayedMaxAge{10};
// Without a notification, the LISTEN thread still looks for rows this often (a safety net).
constexpr std::chrono::milliseconds kListenPoll{5'000};
// Connections: the LISTEN one is apart; these serve sends, lookups, presence and the lease.
constexpr std::size_t kPoolSize = 4;
// Snapshot requests relayed here are remembered this long for their answer (the asking node
// waits at most a minute: [tickets] fresh_snapshot_timeout_ms), and this many at most.
constexpr std::chrono::minutes kRelayedRequestMaxAge{2};
constexpr std::size_t kMaxRelayedRequests = 10'000;
// Request ids as the session reads them from the agent's snapshot.
constexpr std::size_t kMaxRequestIdBytes = 64;

AgentLocation location_of(const pg_presence::SessionRow& row) {
  return AgentLocation{row.node, row.session_id, row.remote_address,
                       time_ms::from_ms(row.since_ms)};
}

}  // namespace

PgAgentChannel::PgAgentChannel(const std::string& conninfo, ClusterSettings settings)
    : conninfo_(conninfo),
      settings_(std::move(settings)),
      local_(settings_.node),
      pool_(std::make_unique<postgres::Pool>(conninfo, kPoolSize)) {}

Result<std::unique_ptr<PgAgentChannel>> PgAgentChannel::start(const std::string& conninfo,
                                                              ClusterSettings settings) {
  std::unique_ptr<PgAgentChannel> channel(new PgAgentChannel(conninfo, std::move(settings)));
  {
    auto lease = channel->pool_->acquire();
    if (!lease) return tl::unexpected(lease.error());
    auto held = pg_presence::start_node(**lease, channel->node(), "", channel->settings_.lease);
    if (!held) return fail("taking the lease of node " + channel->node(), held.error());
    if (*held) {
      logs::cluster().warn(
          "cluster: node name `{}` still held a live lease: this node restarted within it, or "
          "another collector runs with the same name ([cluster] node must differ per node)",
          channel->node());
    }
  }
  channel->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (channel->stop_fd_ < 0) return fail("cluster channel: eventfd failed");
  PgAgentChannel* self = channel.get();
  channel->lease_task_ = std::make_unique<PeriodicTask>(
      PeriodicTaskOptions{"cluster lease renewal", channel->settings_.renew_interval, false,
                          "lease-renewal"},
      [self] { self->renew(); });
  channel->presence_task_ = std::make_unique<PeriodicTask>(
      PeriodicTaskOptions{"cluster presence", std::chrono::seconds(1), false, "presence"}, [self] {
        self->write_presence();
        self->relay_answers();
      });
  channel->lease_task_->start();
  channel->presence_task_->start();
  channel->listener_ = std::thread([self] {
    name_this_thread("cluster-listen");
    self->listen_loop();
  });
  logs::cluster().info("cluster: node {} joined (lease {} ms, renewed every {} ms)",
                       channel->node(), channel->settings_.lease.count(),
                       channel->settings_.renew_interval.count());
  return channel;
}

PgAgentChannel::~PgAgentChannel() {
  stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void PgAgentChannel::stop() {
  if (stopped_.exchange(true)) return;
  stopping_ = true;
  if (stop_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(stop_fd_, &one, sizeof(one));
  }
  if (listener_.joinable()) listener_.join();
  if (presence_task_) presence_task_->stop();
  if (lease_task_) lease_task_->stop();
  if (!presence_task_) return;  // never started: nothing of ours in the database
  write_presence();             // what sessions that ended meanwhile left queued
  relay_answers();
  if (auto lease = pool_->acquire(); lease) {
    if (auto r = pg_presence::release_node(**lease, node()); !r) {
      logs::cluster().warn("cluster: releasing node {}: {}", node(), r.error().message);
    }
  }
  logs::cluster().info("cluster: node {} left", node());
}

void PgAgentChannel::set_address(std::string address) {
  std::lock_guard lock(address_mutex_);
  address_ = std::move(address);
}

void PgAgentChannel::set_published_listener(
    std::function<void(const std::string& device_id)> listener) {
  std::lock_guard lock(listener_mutex_);
  published_ = std::move(listener);
}

void PgAgentChannel::set_snapshot_listener(SnapshotListener listener) {
  std::lock_guard lock(listener_mutex_);
  snapshot_listener_ = std::move(listener);
}

void PgAgentChannel::renew() {
  std::string address;
  {
    std::lock_guard lock(address_mutex_);
    address = address_;
  }
  auto lease = pool_->acquire();
  if (!lease) {
    logs::cluster().warn("cluster: renewing the lease of node {}: {}", node(),
                         lease.error().message);
    return;
  }
  if (auto r = pg_presence::renew_lease(**lease, node(), address, settings_.lease); !r) {
    logs::cluster().warn("cluster: renewing the lease of node {}: {}", node(), r.error().message);
    return;
  }
  if (auto r = pg_relay::expire(**lease, kRelayedMaxAge); r && *r > 0) {
    logs::cluster().info("cluster: {} relayed messages nobody took in {} minutes deleted", *r,
                         kRelayedMaxAge.count());
  }
}

void PgAgentChannel::write_presence() {
  std::deque<PresenceChange> batch;
  {
    std::lock_guard lock(presence_mutex_);
    batch.swap(presence_queue_);
  }
  if (batch.empty()) return;
  std::vector<std::string> published;
  {
    auto lease = pool_->acquire();
    while (lease && !batch.empty()) {
      const PresenceChange& change = batch.front();
      if (change.attach) {
        auto replaced = pg_presence::record_attach(
            **lease,
            {change.device_id, node(), change.session_id, change.remote_address, change.since_ms});
        if (!replaced) {
          logs::cluster().warn("cluster: recording device {} online: {}", change.device_id,
                               replaced.error().message);
          break;
        }
        if (*replaced) {
          // The older session on the other node ends, as one on this node would.
          if (auto r = pg_relay::post(**lease, (*replaced)->node, pg_relay::Kind::kReplaced,
                                      change.device_id, (*replaced)->session_id, 0, "");
              !r) {
            logs::cluster().warn("cluster: closing device {}'s session on node {}: {}",
                                 change.device_id, (*replaced)->node, r.error().message);
          }
        }
        // What was relayed to the device's previous node and not delivered comes here now.
        if (auto claimed = pg_relay::claim_for_device(**lease, change.device_id); claimed) {
          for (const auto& row : *claimed) deliver(**lease, row.device_id, row.payload);
        }
        published.push_back(change.device_id);
      } else if (auto r = pg_presence::record_detach(**lease, change.device_id, node(),
                                                     change.session_id);
                 !r) {
        logs::cluster().warn("cluster: recording device {} offline: {}", change.device_id,
                             r.error().message);
        break;
      }
      ++presence_writes_;
      batch.pop_front();
    }
    if (!lease) logs::cluster().warn("cluster: presence not written: {}", lease.error().message);
  }
  if (!batch.empty()) {
    // Kept in order ahead of what came meanwhile; the next run tries again.
    std::lock_guard lock(presence_mutex_);
    presence_queue_.insert(presence_queue_.begin(), batch.begin(), batch.end());
  }
  std::lock_guard lock(listener_mutex_);
  if (published_) {
    for (const auto& id : published) published_(id);
  }
}

void PgAgentChannel::deliver(postgres::Connection& conn, const std::string& device_id,
                             const std::string& payload) {
  v1::CollectorMessage message;
  if (!message.ParseFromString(payload)) {
    logs::cluster().error("cluster: a message relayed to device {} is unreadable; dropped",
                          device_id);
    return;
  }
  std::string request_id;
  if (message.has_snapshot_request()) {
    request_id = message.snapshot_request().request_id().substr(0, kMaxRequestIdBytes);
  }
  if (!request_id.empty()) {
    // Remembered before it is sent: the answer may be committed before send() returns.
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(requests_mutex_);
    if (relayed_requests_.size() >= kMaxRelayedRequests) {
      std::erase_if(relayed_requests_, [&](const auto& entry) {
        return now - entry.second.at > kRelayedRequestMaxAge;
      });
    }
    if (relayed_requests_.size() < kMaxRelayedRequests) {
      relayed_requests_[request_id] = RelayedRequest{device_id, now};
    }
  }
  if (local_.send(device_id, message) != Delivery::kOffline) return;
  if (!request_id.empty()) {
    std::lock_guard lock(requests_mutex_);
    relayed_requests_.erase(request_id);
  }
  // Not here (any more): to the device's node now, else kept until it comes back.
  auto to = pg_relay::send_to_device(conn, device_id, node(), payload);
  if (to && *to) return;
  if (auto r = pg_relay::park(conn, device_id, payload); !r) {
    logs::cluster().warn("cluster: keeping a message for device {}: {}", device_id,
                         r.error().message);
  }
}

void PgAgentChannel::take_relayed() {
  auto lease = pool_->acquire();
  if (!lease) {
    logs::cluster().warn("cluster: reading relayed messages: {}", lease.error().message);
    return;
  }
  for (;;) {
    auto rows = pg_relay::take_for_node(**lease, node(), kTakeBatch);
    if (!rows) {
      logs::cluster().warn("cluster: reading relayed messages: {}", rows.error().message);
      return;
    }
    for (const auto& row : *rows) {
      switch (row.kind) {
        case pg_relay::Kind::kSend:
          deliver(**lease, row.device_id, row.payload);
          break;
        case pg_relay::Kind::kBroadcast: {
          v1::CollectorMessage message;
          if (message.ParseFromString(row.payload)) local_.broadcast(message);
          break;
        }
        case pg_relay::Kind::kDisconnect:
          local_.disconnect(row.device_id, static_cast<transport::CloseCode>(row.code),
                            row.payload);
          break;
        case pg_relay::Kind::kReplaced:
          local_.close_session(row.device_id, row.session_id, transport::CloseCode::kReplaced,
                               "replaced by a newer connection on another collector node");
          break;
        case pg_relay::Kind::kAnswered: {
          std::lock_guard lock(listener_mutex_);
          if (snapshot_listener_) snapshot_listener_(row.device_id, row.session_id, row.payload);
          break;
        }
      }
    }
    if (rows->size() < static_cast<std::size_t>(kTakeBatch)) return;
  }
}

void PgAgentChannel::relay_answers() {
  std::deque<Answer> batch;
  {
    std::lock_guard lock(requests_mutex_);
    batch.swap(answers_);
  }
  if (batch.empty()) return;
  // Which node asked is not recorded: every other live node hears, and the one waiting for
  // the request takes it. An answer lost here leaves that node to its stored-state fallback.
  auto lease = pool_->acquire();
  auto nodes = lease ? pg_presence::live_nodes(**lease, node())
                     : Result<std::vector<std::string>>(tl::unexpected(lease.error()));
  if (!nodes) {
    logs::cluster().warn("cluster: announcing {} answered snapshot requests: {}", batch.size(),
                         nodes.error().message);
    return;
  }
  for (const auto& answer : batch) {
    for (const auto& other : *nodes) {
      if (auto r = pg_relay::post(**lease, other, pg_relay::Kind::kAnswered, answer.device_id,
                                  answer.seq, 0, answer.request_id);
          !r) {
        logs::cluster().warn("cluster: announcing device {}'s snapshot to node {}: {}",
                             answer.device_id, other, r.error().message);
      }
    }
  }
}

bool PgAgentChannel::wait_for_stop(std::chrono::milliseconds timeout) const {
  pollfd fd{stop_fd_, POLLIN, 0};
  (void)::poll(&fd, 1, static_cast<int>(timeout.count()));
  return stopping_.load();
}

void PgAgentChannel::listen_loop() {
  std::chrono::milliseconds backoff(250);
  while (!stopping_) {
    auto conn = postgres::Connection::connect(conninfo_);
    Result<void> listening;
    if (!conn) {
      listening = tl::unexpected(conn.error());
    } else if (auto name = (*conn)->query("SELECT triage_node_channel($1)", node()); !name) {
      listening = tl::unexpected(name.error());
    } else {
      listening = (*conn)->exec("LISTEN " + name->text(0, 0));
    }
    if (!listening) {
      logs::cluster().warn("cluster: LISTEN connection of node {}: {}; again in {} ms", node(),
                           listening.error().message, backoff.count());
      if (wait_for_stop(backoff)) return;
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
      continue;
    }
    backoff = std::chrono::milliseconds(250);
    listening_ = true;
    // Listening from here on: what was relayed before (or while the connection was lost)
    // is taken now, and every later row comes with a notification.
    take_relayed();
    for (;;) {
      pollfd fds[2] = {{(*conn)->socket(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      const int ready = ::poll(fds, 2, static_cast<int>(kListenPoll.count()));
      if (stopping_) break;
      if (ready < 0 && errno != EINTR) break;
      if (ready > 0 && fds[0].revents != 0) {
        if (auto got = (*conn)->take_notifications(); !got) {
          logs::cluster().warn("cluster: LISTEN connection of node {}: {}", node(),
                               got.error().message);
          break;
        }
      }
      take_relayed();
    }
    listening_ = false;
  }
}

Delivery PgAgentChannel::send(const std::string& device_id, const v1::CollectorMessage& message) {
  const Delivery here = local_.send(device_id, message);
  if (here != Delivery::kOffline) return here;
  const std::string payload = message.SerializeAsString();
  if (payload.size() > kMaxRelayedBytes) {
    logs::cluster().error(
        "cluster: a message of {} bytes for device {} is over the relay limit ({})", payload.size(),
        device_id, kMaxRelayedBytes);
    return Delivery::kDropped;
  }
  auto lease = pool_->acquire();
  auto to = lease ? pg_relay::send_to_device(**lease, device_id, node(), payload)
                  : Result<std::optional<std::string>>(tl::unexpected(lease.error()));
  if (!to) {
    logs::cluster().error("cluster: relaying a message to device {}: {}", device_id,
                          to.error().message);
    return Delivery::kDropped;
  }
  return *to ? Delivery::kQueued : Delivery::kOffline;
}

std::size_t PgAgentChannel::broadcast(const v1::CollectorMessage& message) {
  std::size_t queued = local_.broadcast(message);
  const std::string payload = message.SerializeAsString();
  if (payload.size() > kMaxRelayedBytes) {
    logs::cluster().error(
        "cluster: a broadcast of {} bytes is over the relay limit ({}); this node only",
        payload.size(), kMaxRelayedBytes);
    return queued;
  }
  auto lease = pool_->acquire();
  if (!lease) {
    logs::cluster().error("cluster: broadcast to the other nodes: {}", lease.error().message);
    return queued;
  }
  auto nodes = pg_presence::live_nodes(**lease, node());
  if (!nodes) {
    logs::cluster().error("cluster: broadcast to the other nodes: {}", nodes.error().message);
    return queued;
  }
  for (const auto& other : *nodes) {
    if (auto r = pg_relay::post(**lease, other, pg_relay::Kind::kBroadcast, "", 0, 0, payload);
        !r) {
      logs::cluster().error("cluster: broadcast to node {}: {}", other, r.error().message);
    }
  }
  if (auto remote = pg_presence::count_live_sessions(**lease, node()); remote) queued += *remote;
  return queued;
}

bool PgAgentChannel::is_online(const std::string& device_id) const {
  if (local_.is_online(device_id)) return true;
  return locate(device_id).has_value();
}

std::optional<AgentLocation> PgAgentChannel::locate(const std::string& device_id) const {
  if (auto here = local_.locate(device_id)) return here;
  auto lease = pool_->acquire();
  auto row = lease ? pg_presence::live_session(**lease, device_id)
                   : Result<std::optional<pg_presence::SessionRow>>(tl::unexpected(lease.error()));
  if (!row) {
    logs::cluster().error("cluster: where is device {}: {}", device_id, row.error().message);
    return std::nullopt;
  }
  // A row naming this node without a local session is one whose end is not written yet.
  if (!*row || (*row)->node == node()) return std::nullopt;
  return location_of(**row);
}

std::vector<std::optional<AgentLocation>> PgAgentChannel::locate_each(
    const std::vector<std::string>& device_ids) const {
  std::vector<std::optional<AgentLocation>> out;
  out.reserve(device_ids.size());
  std::vector<std::string> elsewhere;
  for (const auto& id : device_ids) {
    out.push_back(local_.locate(id));
    if (!out.back()) elsewhere.push_back(id);
  }
  if (elsewhere.empty()) return out;
  auto lease = pool_->acquire();
  auto rows = lease ? pg_presence::live_sessions(**lease, elsewhere)
                    : Result<std::vector<pg_presence::SessionRow>>(tl::unexpected(lease.error()));
  if (!rows) {
    logs::cluster().error("cluster: where are {} devices: {}", elsewhere.size(),
                          rows.error().message);
    return out;
  }
  std::unordered_map<std::string, const pg_presence::SessionRow*> by_device;
  for (const auto& row : *rows) {
    if (row.node != node()) by_device.emplace(row.device_id, &row);
  }
  for (std::size_t i = 0; i < device_ids.size(); ++i) {
    if (out[i]) continue;
    if (auto it = by_device.find(device_ids[i]); it != by_device.end()) {
      out[i] = location_of(*it->second);
    }
  }
  return out;
}

void PgAgentChannel::disconnect(const std::string& device_id, transport::CloseCode code,
                                std::string reason) {
  local_.disconnect(device_id, code, reason);
  auto lease = pool_->acquire();
  auto nodes = lease ? pg_presence::live_nodes(**lease, node())
                     : Result<std::vector<std::string>>(tl::unexpected(lease.error()));
  if (!nodes) {
    logs::cluster().error("cluster: disconnecting device {} on the other nodes: {}", device_id,
                          nodes.error().message);
    return;
  }
  for (const auto& other : *nodes) {
    if (auto r = pg_relay::post(**lease, other, pg_relay::Kind::kDisconnect, device_id, 0,
                                static_cast<int>(code), reason);
        !r) {
      logs::cluster().error("cluster: disconnecting device {} on node {}: {}", device_id, other,
                            r.error().message);
    }
  }
}

std::shared_ptr<transport::WebSocketConnection> PgAgentChannel::attach(
    const std::string& device_id, std::uint64_t session_id,
    const std::shared_ptr<transport::WebSocketConnection>& connection) {
  auto previous = local_.attach(device_id, session_id, connection);
  {
    std::lock_guard lock(presence_mutex_);
    presence_queue_.push_back(PresenceChange{true, device_id, session_id,
                                             connection->peer().remote_address,
                                             time_ms::to_ms(std::chrono::system_clock::now())});
  }
  presence_task_->wake();
  return previous;
}

void PgAgentChannel::detach(const std::string& device_id, std::uint64_t session_id) {
  local_.detach(device_id, session_id);
  {
    std::lock_guard lock(presence_mutex_);
    presence_queue_.push_back(PresenceChange{false, device_id, session_id, "", 0});
  }
  presence_task_->wake();
}

std::shared_ptr<void> PgAgentChannel::track(const std::string& device_id, Closer close) {
  return local_.track(device_id, std::move(close));
}

void PgAgentChannel::snapshot_committed(const std::string& device_id, std::uint64_t seq,
                                        const std::string& request_id) {
  {
    std::lock_guard lock(requests_mutex_);
    // Not relayed here: asked by this node (its enrichment hears it from the session) or by
    // the session itself (a gap). Another device's answer to it is none.
    auto it = relayed_requests_.find(request_id);
    if (it == relayed_requests_.end() || it->second.device_id != device_id) return;
    relayed_requests_.erase(it);
    answers_.push_back(Answer{device_id, seq, request_id});
  }
  presence_task_->wake();
}

}  // namespace triage::collector
