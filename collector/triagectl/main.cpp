// triagectl: the technician's command line over the collector's REST API. This file builds the
// command line and hands each command to its group (ctl_login, ctl_tickets, ctl_devices,
// ctl_audit, ctl_actions, ctl_catalog, ctl_probes, ctl_live).
// Exit codes: 0 ok, 1 API or other error, 2 usage, 3 not logged in / not authorized (401);
// `run --follow`: 4 the order failed (or its post-check did), 5 it never ran (refused,
// expired, cancelled, rejected); `live`: 5 the agent refused it, 130 interrupted.

#include <atomic>
#include <csignal>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "collector/triagectl/ctl_actions.hpp"
#include "collector/triagectl/ctl_audit.hpp"
#include "collector/triagectl/ctl_catalog.hpp"
#include "collector/triagectl/ctl_devices.hpp"
#include "collector/triagectl/ctl_live.hpp"
#include "collector/triagectl/ctl_login.hpp"
#include "collector/triagectl/ctl_output.hpp"
#include "collector/triagectl/ctl_probes.hpp"
#include "collector/triagectl/ctl_session.hpp"
#include "collector/triagectl/ctl_tickets.hpp"

namespace http = triage::transport::http;
using nlohmann::json;
using triage::Error;
using triage::ErrorCode;
using triage::Result;
namespace ctl = triage::ctl;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitLogin = 3;

std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

void on_interrupt(int) { interrupted.store(true); }

/// The first Ctrl-C sets `interrupted` (the command finishes what it must); a second one, with
/// the default action restored, ends the process at once.
void catch_interrupt() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
}

int exit_code(const Error& error) {
  switch (error.code) {
    case ErrorCode::kDenied:
      return kExitLogin;
    case ErrorCode::kInvalid:
      return kExitUsage;
    default:
      return kExitError;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"triagectl: tickets, devices, findings and actions from the shell"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string(TRIAGE_VERSION));
  ctl::Globals g;
  app.add_option("--server", g.server, "collector URL https://HOST:PORT (or TRIAGE_SERVER)");
  app.add_option("--ca", g.ca_file, "PEM file of the collector CA to trust")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", g.json_output, "print the server's JSON (for scripts)");
  app.add_option("--config-dir", g.config_dir,
                 "where credentials are kept (default $XDG_CONFIG_HOME/triage)");

  auto* login = app.add_subcommand("login", "log in and keep the session token (mode 0600)");
  std::string name;
  bool password_stdin = false;
  login->add_option("--name", name, "user name")->required();
  login->add_flag("--password-stdin", password_stdin, "read the password from standard input");
  auto* password = app.add_subcommand("password", "change your own password");
  password->add_flag("--password-stdin", password_stdin,
                     "read the current and the new password, one per line, from standard input");
  auto* logout = app.add_subcommand("logout", "forget the stored session");

  auto* tickets = app.add_subcommand("tickets", "list tickets, as the server sorts them");
  ctl::TicketFilter filter;
  tickets->add_option("--status", filter.status, "new, open, pending, resolved, closed")
      ->delimiter(',');
  tickets->add_option("--priority", filter.priority, "P1 .. P4")->delimiter(',');
  tickets->add_option("--assignee", filter.assignee, "user name");
  tickets->add_option("--device", filter.device, "device id");
  tickets->add_option("--limit", filter.limit, "at most N (1-500)")->check(CLI::Range(1, 500));

  auto* ticket = app.add_subcommand("ticket", "one ticket");
  ticket->require_subcommand(1);
  std::string id, text, reason, to_tier, user, status, note;
  int minutes = 0;
  bool public_note = false;
  auto* show = ticket->add_subcommand("show", "fields, findings and timeline");
  show->add_option("ID", id, "ticket id")->required();
  auto* create = ticket->add_subcommand("create", "open a ticket");
  ctl::NewTicket n;
  create->add_option("--title", n.title, "what is wrong")->required();
  create->add_option("--description", n.description, "details");
  create->add_option("--requester", n.requester, "who asked");
  create->add_option("--priority", n.priority, "P1 .. P4");
  create->add_option("--device", n.device, "link this device (enriches the ticket)");
  auto* add_note = ticket->add_subcommand("note", "add a note (internal unless --public)");
  add_note->add_option("ID", id, "ticket id")->required();
  add_note->add_option("TEXT", text, "the note")->required();
  add_note->add_flag("--public", public_note, "visible to the requester");
  auto* escalate = ticket->add_subcommand("escalate", "escalate to the next tier");
  escalate->add_option("ID", id, "ticket id")->required();
  escalate->add_option("--reason", reason, "why")->required();
  escalate->add_option("--to", to_tier, "L2 or L3 (default: next)");
  auto* assign = ticket->add_subcommand("assign", "assign to a user");
  assign->add_option("ID", id, "ticket id")->required();
  assign->add_option("USER", user, "user name")->required();
  auto* set_status = ticket->add_subcommand("status", "change the status");
  set_status->add_option("ID", id, "ticket id")->required();
  set_status->add_option("STATUS", status, "open, pending, resolved, closed")->required();
  set_status->add_option("--reason", reason, "why (kept in the timeline)");
  auto* time = ticket->add_subcommand("time", "record time spent");
  time->add_option("ID", id, "ticket id")->required();
  time->add_option("MINUTES", minutes, "1-1440")->required()->check(CLI::Range(1, 1440));
  time->add_option("--note", note, "what was done");

  auto* devices = app.add_subcommand("devices", "list devices");
  bool online = false;
  std::string q;
  devices->add_flag("--online", online, "only connected devices");
  devices->add_option("--q", q, "hostname contains TEXT");
  auto* device = app.add_subcommand("device", "one device");
  std::string device_id;
  device->add_option("ID", device_id, "device id")->required();

  auto* findings = app.add_subcommand("findings", "findings grouped by rule across the fleet");
  std::string since;
  findings->add_option("--since", since, "first seen at or after RFC 3339 time");

  auto* audit = app.add_subcommand("audit", "the audit log, newest first (senior or admin)");
  ctl::AuditQuery audit_query;
  audit->add_option("--type", audit_query.type, "event type prefix, e.g. auth. or device.revoked");
  audit->add_option("--actor", audit_query.actor, "user name, device id, cli:USER...");
  audit->add_option("--target", audit_query.target, "e.g. user:alice, device:ID");
  audit->add_option("--since", audit_query.since, "at or after this RFC 3339 time");
  audit->add_option("--until", audit_query.until, "before this RFC 3339 time");
  audit->add_option("--limit", audit_query.limit, "at most N (1-1000)")->check(CLI::Range(1, 1000));
  audit->add_option("--before", audit_query.before, "older than this seq (paging)")
      ->check(CLI::PositiveNumber);

  auto* actions = app.add_subcommand("actions", "the action catalog");
  auto* run = app.add_subcommand("run", "run an action on a ticket's device");
  ctl::RunRequest run_request;
  run->add_option("TICKET", run_request.ticket_id, "ticket id")->required();
  run->add_option("ACTION", run_request.action, "action id (triagectl actions)")->required();
  run->add_option("--param", run_request.params, "NAME=VALUE (repeat for each parameter)");
  run->add_option("--device", run_request.device_id, "device id (when the ticket has several)");
  run->add_flag("--follow", run_request.follow,
                "print the output as it comes; exit with the order's outcome");
  auto* order = app.add_subcommand("order", "one remediation order");
  order->require_subcommand(1);
  std::string order_id;
  auto* order_show = order->add_subcommand("show", "state, result and output");
  order_show->add_option("ID", order_id, "order id")->required();
  auto* order_follow = order->add_subcommand("follow", "print the output until the order ends");
  order_follow->add_option("ID", order_id, "order id")->required();
  auto* approve = app.add_subcommand("approve", "approve an order (senior, not the requester)");
  approve->add_option("ID", order_id, "order id")->required();
  auto* reject = app.add_subcommand("reject", "reject an order waiting for approval");
  reject->add_option("ID", order_id, "order id")->required();
  reject->add_option("--reason", reason, "why")->required();
  auto* cancel = app.add_subcommand("cancel", "cancel an order not yet sent");
  cancel->add_option("ID", order_id, "order id")->required();
  cancel->add_option("--reason", reason, "why");
  auto* probe = app.add_subcommand(
      "probe", "run a read-only probe on a connected device and print what it found");
  ctl::ProbeCommand probe_command;
  probe->add_option("DEVICE", probe_command.device_id, "device id")->required();
  probe
      ->add_option("PROBE", probe_command.probe,
                   "reach, resolve, http_get, listening, disk_usage, connections, log_lines or "
                   "path")
      ->required();
  probe->add_option("TARGET", probe_command.target,
                    "reach: HOST:PORT, resolve: NAME, http_get: URL, disk_usage: PATH, "
                    "connections: PID or process NAME, log_lines: SOURCE (unit, program or "
                    "channel), path: HOST");
  probe->add_flag("--tls", probe_command.tls, "reach: also do a TLS handshake and show the chain");
  probe->add_option("--server-name", probe_command.server_name,
                    "reach --tls: the name to send and verify (default: the host)");
  probe->add_flag("--each-server", probe_command.each_server,
                  "resolve: also ask each DNS server the device is configured with");
  probe->add_option("--level", probe_command.min_level,
                    "log_lines: the least severe level shown: emerg, alert, crit, err, warning, "
                    "notice, info or debug (default warning)");
  probe
      ->add_option("--since", probe_command.since_minutes,
                   "log_lines: minutes back, 1-1440 (default 10)")
      ->check(CLI::Range(1, 1440));
  probe
      ->add_option("--lines", probe_command.max_lines,
                   "log_lines: the newest lines shown, 1-500 (default 100)")
      ->check(CLI::Range(1, 500));
  probe->add_option("--max-hops", probe_command.max_hops, "path: 1-30 (default 20)")
      ->check(CLI::Range(1, 30));
  probe->add_option("--ticket", probe_command.ticket_id, "note the run on this ticket");
  probe->add_option("--max-redirects", probe_command.max_redirects, "http_get: 0-5 (default 3)")
      ->check(CLI::Range(0, 5));
  probe->add_option("--depth", probe_command.max_depth, "disk_usage: 1-8 (default 2)")
      ->check(CLI::Range(1, 8));
  probe->add_option("--top", probe_command.top, "disk_usage: directories shown, 1-50")
      ->check(CLI::Range(1, 50));
  probe->add_option("--time-budget-ms", probe_command.time_budget_ms, "1-30000 (default 10000)")
      ->check(CLI::Range(1, 30000));
  probe
      ->add_option("--output-budget", probe_command.output_budget_bytes,
                   "bytes of result, 1-65536 (default 16384)")
      ->check(CLI::Range(1, 65536));
  bool probe_no_wait = false;
  probe->add_flag("--no-wait", probe_no_wait, "print the run's id and return at once");
  auto* live = app.add_subcommand(
      "live", "watch a connected device second by second (opens a live view, or joins it)");
  ctl::LiveCommand live_command;
  live->add_option("DEVICE", live_command.device_id, "device id")->required();
  live->add_option("--ticket", live_command.ticket_id, "record it on this ticket");
  live->add_option("--minutes", live_command.minutes, "1-10 (default 10)")
      ->check(CLI::Range(1, 10));
  auto* probe_show = app.add_subcommand("probe-show", "one probe run: request, state and result");
  std::string probe_id;
  probe_show->add_option("ID", probe_id, "probe run id")->required();
  auto* catalog = app.add_subcommand(
      "catalog", "custom action changes: proposed by an admin, in force once a second approves");
  catalog->require_subcommand(1);
  std::string definition_file, replaces, proposal_id, proposal_status;
  auto* propose = catalog->add_subcommand("propose", "propose a custom action from a TOML file");
  propose->add_option("FILE", definition_file, "the definition (docs/actions.md)")->required();
  propose->add_option("--replaces", replaces, "propose it as a new version of this custom action");
  auto* proposals = catalog->add_subcommand("proposals", "proposed changes (senior or admin)");
  proposals->add_option("--status", proposal_status,
                        "pending (default), activated, rejected, withdrawn or all");
  auto* catalog_approve =
      catalog->add_subcommand("approve", "approve a proposal (not its proposer)");
  catalog_approve->add_option("ID", proposal_id, "proposal id")->required();
  auto* catalog_reject =
      catalog->add_subcommand("reject", "reject a proposal (its proposer: withdraw it)");
  catalog_reject->add_option("ID", proposal_id, "proposal id")->required();
  catalog_reject->add_option("--reason", reason, "why");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  const ctl::ApiCall call_api = [&g](http::verb verb, const std::string& target,
                                     const std::optional<json>& body) {
    return ctl::api(g, verb, target, body);
  };
  const ctl::Output output{std::cout, std::cerr, g.json_output};
  int order_exit = kExitOk;
  auto take_exit = [&order_exit](Result<int> r) -> Result<void> {
    if (!r) return tl::unexpected(r.error());
    order_exit = *r;
    return {};
  };

  Result<void> result;
  if (*probe) {
    probe_command.wait = !probe_no_wait;
    result = take_exit(ctl::run_probe(call_api, probe_command, output));
  } else if (*live) {
    catch_interrupt();
    result = take_exit(ctl::run_live(call_api, live_command, output, interrupted));
  } else if (*probe_show) {
    result = ctl::show_probe(call_api, probe_id, output);
  } else if (*actions) {
    result = ctl::list_actions(call_api, output);
  } else if (*run) {
    result = take_exit(ctl::run_action(call_api, run_request, output));
  } else if (*order_show) {
    result = ctl::show_order(call_api, order_id, output);
  } else if (*order_follow) {
    result = take_exit(ctl::follow_order(call_api, order_id, run_request.poll_interval, output));
  } else if (*approve) {
    result = ctl::decide_order(call_api, order_id, "approve", "", output);
  } else if (*reject) {
    result = ctl::decide_order(call_api, order_id, "reject", reason, output);
  } else if (*cancel) {
    result = ctl::decide_order(call_api, order_id, "cancel", reason, output);
  } else if (*propose) {
    result = ctl::propose_action(call_api, definition_file, replaces, output);
  } else if (*proposals) {
    result = ctl::list_proposals(call_api, proposal_status, output);
  } else if (*catalog_approve) {
    result = ctl::decide_proposal(call_api, proposal_id, "approve", "", output);
  } else if (*catalog_reject) {
    result = ctl::decide_proposal(call_api, proposal_id, "reject", reason, output);
  } else if (*login) {
    result = ctl::login(g, name, password_stdin, output);
  } else if (*password) {
    result = ctl::change_password(call_api, password_stdin, output);
  } else if (*logout) {
    result = ctl::logout(g, output);
  } else if (*tickets) {
    result = ctl::list_tickets(call_api, filter, output);
  } else if (*show) {
    result = ctl::show_ticket(call_api, id, output);
  } else if (*create) {
    result = ctl::create_ticket(call_api, n, output);
  } else if (*add_note) {
    result = ctl::add_note(call_api, id, text, public_note, output);
  } else if (*escalate) {
    result = ctl::escalate_ticket(call_api, id, reason, to_tier, output);
  } else if (*assign) {
    result = ctl::assign_ticket(call_api, id, user, output);
  } else if (*set_status) {
    result = ctl::set_ticket_status(call_api, id, status, reason, output);
  } else if (*time) {
    result = ctl::record_time(call_api, id, minutes, note, output);
  } else if (*devices) {
    result = ctl::list_devices(call_api, online, q, output);
  } else if (*device) {
    result = ctl::show_device(call_api, device_id, output);
  } else if (*findings) {
    result = ctl::list_findings(call_api, since, output);
  } else if (*audit) {
    result = ctl::show_audit(call_api, audit_query, output);
  }
  if (!result) {
    std::cerr << "triagectl: " << ctl::sanitize(result.error().message) << "\n";
    return exit_code(result.error());
  }
  return order_exit;
}
