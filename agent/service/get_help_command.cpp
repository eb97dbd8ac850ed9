#include "agent/service/get_help_command.hpp"

#include "agent/collectors/snapshot_taker.hpp"
#include "agent/ipc/ipc_client.hpp"
#include "agent/ipc/local_user.hpp"
#include "agent/service/agent_daemon.hpp"
#include "agent/service/agent_spool.hpp"
#include "agent/service/help_request.hpp"
#include "shared/transport/url.hpp"

namespace triage::agent {

namespace {

// How long the daemon may take to snapshot and queue the request.
constexpr std::chrono::seconds kSnapshotWait{30};

/// No daemon: file the request in the spool ourselves.
int spool_directly(const StateDir& state, const AgentConfig& config, const nlohmann::json& request,
                   std::ostream& out, std::ostream& err) {
  const auto me = ipc::current_local_user();
  auto help = parse_help_submission(request, me.uid, me.name);
  if (!help) {
    err << "triage-agent: " << help.error().message << "\n";
    return 2;
  }
  auto enrollment = load_enrollment(state);
  if (!enrollment) {
    err << "triage-agent: " << enrollment.error().message << "\n";
    return 1;
  }
  auto spool = open_agent_spool(state, spool::SpoolLimits{config.spool_max_bytes});
  if (!spool) {
    err << "triage-agent: the triage agent is not running and this account cannot queue the "
           "request itself ("
        << spool.error().message << "); ask your administrator to start triage-agent\n";
    return 1;
  }
  auto url = transport::parse_url(config.collector_url.empty() ? enrollment->server_url
                                                               : config.collector_url);
  SnapshotTaker taker(url ? snapshot_options(config, url->host, url->port)
                          : snapshot_options(config, "", "0"));
  auto message = help_report(*help, taker.take());
  auto seq = (*spool)->append(message);
  if (!seq) {
    err << "triage-agent: could not queue the request: " << seq.error().message << "\n";
    return 1;
  }
  out << "The triage agent is not running. "
      << describe_progress(HelpProgress{HelpState::kQueued, *seq, "", ""}) << "\n";
  return 0;
}

}  // namespace

int run_get_help(const StateDir& state, const AgentConfig& config, const GetHelpOptions& options,
                 std::ostream& out, std::ostream& err) {
  nlohmann::json request = {
      {"type", "help"}, {"text", options.text}, {"request_id", new_help_request_id()}};
  if (options.text.empty() || options.text.size() > kMaxHelpTextBytes) {
    err << "triage-agent: say what is wrong in at most " << kMaxHelpTextBytes << " bytes\n";
    return 2;
  }
  const auto socket = options.socket.empty() ? client_socket_path(state, config) : options.socket;
  std::optional<HelpProgress> last;
  // The agent first takes a snapshot (seconds on a busy machine); from the moment the request
  // is safely queued, wait at most `options.wait` in all for a ticket number.
  std::optional<std::chrono::steady_clock::time_point> wait_until;
  auto called = ipc::ipc_call(
      socket, request, kSnapshotWait, [&](const nlohmann::json& reply) -> ipc::IpcNext {
        auto progress = progress_from_json(reply);
        // "Queued" is only worth saying when it is where things end; "sent" tells the user
        // why they are waiting.
        if (progress.state == HelpState::kSent)
          out << describe_progress(progress) << "\n" << std::flush;
        last = progress;
        if (progress.final()) return std::nullopt;
        const auto now = std::chrono::steady_clock::now();
        if (!wait_until) wait_until = now + options.wait;
        if (now >= *wait_until) return std::nullopt;
        return std::chrono::duration_cast<std::chrono::milliseconds>(*wait_until - now);
      });
  if (!called) {
    if (called.error().code == ErrorCode::kUnavailable) {
      return spool_directly(state, config, request, out, err);
    }
    err << "triage-agent: cannot reach the triage agent: " << called.error().message << "\n";
    return 1;
  }
  if (!last) {
    err << "triage-agent: the agent did not confirm the request; try again\n";
    return 1;
  }
  if (last->state != HelpState::kSent) out << describe_progress(*last) << "\n";
  return last->state == HelpState::kError || last->state == HelpState::kRejected ? 1 : 0;
}

}  // namespace triage::agent
