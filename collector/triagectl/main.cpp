// triagectl: the technician's command line over the collector's REST API.
// Exit codes: 0 ok, 1 API or other error, 2 usage, 3 not logged in / not authorized (401);
// `run --follow`: 4 the order failed (or its post-check did), 5 it never ran (refused,
// expired, cancelled, rejected).

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "collector/triagectl/ctl_actions.hpp"
#include "collector/triagectl/ctl_audit.hpp"
#include "collector/triagectl/ctl_catalog.hpp"
#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"
#include "shared/util/files.hpp"

namespace http = triage::transport::http;
using nlohmann::json;
using triage::Error;
using triage::ErrorCode;
using triage::fail;
using triage::Result;
namespace ctl = triage::ctl;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitLogin = 3;

struct Globals {
  std::string server;
  std::string ca_file;
  std::string config_dir;
  bool json_output = false;
};

std::filesystem::path config_dir(const Globals& g) {
  return g.config_dir.empty() ? ctl::default_config_dir() : std::filesystem::path(g.config_dir);
}

/// --server, else TRIAGE_SERVER, normalized; empty when neither is set.
Result<std::string> server_option(const Globals& g) {
  std::string text = g.server;
  if (const char* env = std::getenv("TRIAGE_SERVER"); text.empty() && env && *env) text = env;
  if (text.empty()) return text;
  return ctl::normalize_server(text);
}

Result<std::string> read_ca(const std::string& file) {
  auto pem = triage::read_file(file, 1024 * 1024);
  if (!pem) return fail(ErrorCode::kInvalid, "--ca: " + pem.error().message);
  return *pem;
}

const char* kLoginHint = "run triagectl login --server https://HOST:PORT --ca CA.pem --name NAME";

/// Server, CA and token for an authenticated call. The stored token is only ever sent to the
/// server it was issued by.
Result<ctl::Endpoint> endpoint(const Globals& g) {
  auto stored = ctl::load_credentials(config_dir(g));
  if (!stored) return tl::unexpected(stored.error());
  auto server = server_option(g);
  if (!server) return tl::unexpected(server.error());
  ctl::Endpoint e;
  e.server = *server;
  if (e.server.empty() && *stored) e.server = (*stored)->server;
  const bool same_server = *stored && (*stored)->server == e.server;
  if (e.server.empty() || !same_server) {
    return fail(ErrorCode::kDenied, std::string("not logged in") +
                                        (e.server.empty() ? "" : " to " + e.server) + "; " +
                                        kLoginHint);
  }
  e.token = (*stored)->token;
  if (!g.ca_file.empty()) {
    auto pem = read_ca(g.ca_file);
    if (!pem) return tl::unexpected(pem.error());
    e.ca_pem = *pem;
  } else {
    e.ca_pem = (*stored)->ca_pem;
  }
  return e;
}

/// An authenticated call; non-2xx answers become errors.
Result<json> api(const Globals& g, http::verb verb, const std::string& target,
                 const std::optional<json>& body = {}) {
  auto e = endpoint(g);
  if (!e) return tl::unexpected(e.error());
  auto reply = ctl::call(*e, verb, target, body);
  if (!reply) return tl::unexpected(reply.error());
  if (reply->status < 200 || reply->status > 299) {
    auto error = ctl::api_error(*reply);
    if (reply->status == 401) error.message += "; " + std::string(kLoginHint);
    return tl::unexpected(error);
  }
  return reply->body;
}

Result<std::string> ticket_path(const std::string& id, const std::string& rest = "") {
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    return fail(ErrorCode::kInvalid, "ticket id must be a number, not `" + ctl::sanitize(id) + "`");
  }
  return "/api/v1/tickets/" + id + rest;
}

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

const json& member(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

/// A value as one line of display text: "-" for null or empty, arrays of scalars joined.
std::string text_of(const json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) {
    auto text = ctl::sanitize(j.get<std::string>());
    return text.empty() ? "-" : text;
  }
  if (j.is_array() &&
      std::none_of(j.begin(), j.end(), [](const json& v) { return v.is_structured(); })) {
    std::string out;
    for (const auto& v : j) out += (out.empty() ? "" : ", ") + text_of(v);
    return out.empty() ? "-" : out;
  }
  return ctl::sanitize(j.dump());
}

/// The worse of the response and resolution SLA states.
std::string sla_state(const json& ticket) {
  const auto& sla = member(ticket, "sla");
  auto rank = [](const std::string& s) {
    return s == "breached" ? 3 : s == "at_risk" ? 2 : s == "ok" ? 1 : 0;
  };
  std::string worst = "-";
  for (const char* key : {"response", "resolution"}) {
    const auto& v = member(sla, key);
    if (!v.is_string()) continue;
    auto s = v.get<std::string>();
    if (worst == "-" || rank(s) > rank(worst)) worst = s;
  }
  return ctl::sanitize(worst);
}

// ---------------------------------------------------------------------------------------------

Result<std::string> read_password(bool from_stdin, const char* prompt = "Password: ") {
  std::string password;
  if (from_stdin) {
    if (!std::getline(std::cin, password)) {
      return fail(ErrorCode::kInvalid, "--password-stdin: no password on standard input");
    }
  } else {
    if (!::isatty(STDIN_FILENO)) {
      return fail(ErrorCode::kInvalid,
                  "no terminal to ask for the password; pass it with --password-stdin");
    }
    termios old_mode{};
    ::tcgetattr(STDIN_FILENO, &old_mode);
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    std::cerr << prompt << std::flush;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    bool ok = static_cast<bool>(std::getline(std::cin, password));
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_mode);
    std::cerr << "\n";
    if (!ok) return fail(ErrorCode::kInvalid, "no password entered");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) return fail(ErrorCode::kInvalid, "the password is empty");
  return password;
}

Result<void> cmd_login(const Globals& g, const std::string& name, bool password_stdin) {
  auto server = server_option(g);
  if (!server) return tl::unexpected(server.error());
  ctl::Endpoint e;
  e.server = *server;
  if (e.server.empty()) {
    return fail(ErrorCode::kInvalid, "login needs --server https://HOST:PORT (or TRIAGE_SERVER)");
  }
  if (!g.ca_file.empty()) {
    auto pem = read_ca(g.ca_file);
    if (!pem) return tl::unexpected(pem.error());
    e.ca_pem = *pem;
  }
  auto password = read_password(password_stdin);
  if (!password) return tl::unexpected(password.error());
  auto reply = ctl::call(e, http::verb::post, "/api/v1/auth/login",
                         json{{"name", name}, {"password", *password}});
  if (!reply) return tl::unexpected(reply.error());
  if (reply->status != 200) return tl::unexpected(ctl::api_error(*reply));
  const auto& token = member(reply->body, "token");
  if (!token.is_string() || token.get<std::string>().empty()) {
    return fail("the server's login answer holds no token");
  }
  const auto& user = member(reply->body, "user");
  ctl::Credentials c{e.server, e.ca_pem, token.get<std::string>(),
                     text_of(member(reply->body, "expires_at")), text_of(member(user, "name"))};
  if (auto r = ctl::save_credentials(config_dir(g), c); !r) return r;
  if (g.json_output) {
    print_json({{"server", c.server}, {"user", user}, {"expires_at", c.expires_at}});
  } else {
    std::cout << "logged in to " << ctl::sanitize(c.server) << " as " << c.user << " ("
              << text_of(member(user, "role")) << "), session expires " << c.expires_at << "\n";
  }
  return {};
}

// The signed-in user's own password; also how a required change (a new account, a reset by
// an admin) is done from the shell.
Result<void> cmd_password(const Globals& g, bool password_stdin) {
  auto current = read_password(password_stdin, "Current password: ");
  if (!current) return tl::unexpected(current.error());
  auto next = read_password(password_stdin, "New password: ");
  if (!next) return tl::unexpected(next.error());
  if (!password_stdin) {
    auto again = read_password(false, "New password again: ");
    if (!again) return tl::unexpected(again.error());
    if (*again != *next) return fail(ErrorCode::kInvalid, "the new passwords differ");
  }
  auto reply = api(g, http::verb::post, "/api/v1/auth/password",
                   json{{"current_password", *current}, {"new_password", *next}});
  if (!reply) return tl::unexpected(reply.error());
  if (g.json_output) {
    print_json(*reply);
  } else {
    std::cout << "password changed; your other sessions were signed out\n";
  }
  return {};
}

Result<void> cmd_logout(const Globals& g) {
  auto removed = ctl::delete_credentials(config_dir(g));
  if (!removed) return tl::unexpected(removed.error());
  std::cout << (*removed ? "logged out\n" : "not logged in\n");
  return {};
}

struct TicketFilter {
  std::vector<std::string> status, priority;
  std::string assignee, device;
  int limit = 0;
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

Result<void> cmd_tickets(const Globals& g, const TicketFilter& f) {
  std::string query;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + ctl::url_encode(value);
  };
  add("status", join(f.status));
  add("priority", join(f.priority));
  add("assignee", f.assignee);
  add("device_id", f.device);
  if (f.limit > 0) add("limit", std::to_string(f.limit));
  auto body = api(g, http::verb::get, "/api/v1/tickets" + query);
  if (!body) return tl::unexpected(body.error());
  if (g.json_output) {
    print_json(*body);
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  const auto& tickets = member(*body, "tickets");
  if (tickets.is_array()) {
    for (const auto& t : tickets) {
      rows.push_back({text_of(member(t, "id")), text_of(member(t, "priority")),
                      text_of(member(t, "status")), text_of(member(t, "tier")), sla_state(t),
                      text_of(member(t, "assignee")),
                      ctl::truncate(text_of(member(t, "title")), 60)});
    }
  }
  ctl::print_table(std::cout, {"ID", "PRI", "STATUS", "TIER", "SLA", "ASSIGNEE", "TITLE"}, rows);
  std::cout << rows.size() << " of " << text_of(member(*body, "total")) << " tickets\n";
  return {};
}

/// The readable part of a timeline event's data.
std::string event_text(const json& event) {
  const auto& data = member(event, "data");
  std::string text;
  if (data.is_object()) {
    if (const auto& t = member(data, "text"); t.is_string())
      return ctl::sanitize(t.get<std::string>());
    for (const auto& [key, value] : data.items()) {
      if (value.is_object() || value.is_array()) continue;
      text += (text.empty() ? "" : ", ") + ctl::sanitize(key) + ": " + text_of(value);
    }
  } else if (!data.is_null()) {
    text = text_of(data);
  }
  return text;
}

Result<void> cmd_ticket_show(const Globals& g, const std::string& id) {
  auto path = ticket_path(id);
  if (!path) return tl::unexpected(path.error());
  auto body = api(g, http::verb::get, *path);
  if (!body) return tl::unexpected(body.error());
  if (g.json_output) {
    print_json(*body);
    return {};
  }
  const auto& t = *body;
  auto& out = std::cout;
  out << "#" << text_of(member(t, "id")) << "  " << text_of(member(t, "title")) << "\n";
  out << "status: " << text_of(member(t, "status"))
      << "   priority: " << text_of(member(t, "priority"))
      << "   tier: " << text_of(member(t, "tier")) << "   queue: " << text_of(member(t, "queue"))
      << "   assignee: " << text_of(member(t, "assignee")) << "\n";
  out << "requester: " << text_of(member(t, "requester"))
      << "   devices: " << text_of(member(t, "devices")) << "\n";
  out << "created: " << text_of(member(t, "created_at"))
      << "   due: " << text_of(member(t, "due_at")) << "   sla: " << sla_state(t)
      << "   time spent: " << text_of(member(t, "time_spent_minutes")) << " min\n";
  if (const auto& d = member(t, "description"); d.is_string() && !d.get<std::string>().empty()) {
    out << "\n" << ctl::sanitize(d.get<std::string>(), true) << "\n";
  }
  if (const auto& findings = member(t, "findings"); findings.is_array() && !findings.empty()) {
    out << "\nFindings (reported by the endpoint):\n";
    for (const auto& f : findings) {
      out << "  [" << text_of(member(f, "severity")) << "] " << text_of(member(f, "title")) << "  ("
          << text_of(member(f, "rule")) << ", device " << text_of(member(f, "device_id")) << ")\n";
      if (const auto& ev = member(f, "evidence"); !ev.is_null()) {
        out << "      evidence: " << ctl::truncate(text_of(ev), 200) << "\n";
      }
    }
  }
  if (const auto& timeline = member(t, "timeline"); timeline.is_array()) {
    out << "\nTimeline:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : timeline) {
      std::string kind = text_of(member(e, "kind"));
      if (member(e, "visibility") == "public") kind += " (public)";
      rows.push_back({"  " + text_of(member(e, "at")), text_of(member(e, "actor")), kind,
                      ctl::truncate(event_text(e), 200)});
    }
    ctl::print_table(out, {"  TIME", "ACTOR", "KIND", "TEXT"}, rows);
  }
  return {};
}

/// Prints the one-line state of a ticket returned by a change.
void print_ticket_line(const Globals& g, const json& t, const std::string& what) {
  if (g.json_output) {
    print_json(t);
    return;
  }
  std::cout << "ticket #" << text_of(member(t, "id")) << " " << what << ": status "
            << text_of(member(t, "status")) << ", priority " << text_of(member(t, "priority"))
            << ", tier " << text_of(member(t, "tier")) << ", assignee "
            << text_of(member(t, "assignee")) << "\n";
}

void print_done(const Globals& g, const json& body, const std::string& message) {
  if (g.json_output) {
    print_json(body);
  } else {
    std::cout << message << "\n";
  }
}

struct NewTicket {
  std::string title, description, requester, priority, device;
};

Result<void> cmd_ticket_create(const Globals& g, const NewTicket& n) {
  json body = {{"title", n.title}};
  if (!n.description.empty()) body["description"] = n.description;
  if (!n.requester.empty()) body["requester"] = n.requester;
  if (!n.priority.empty()) body["priority"] = n.priority;
  if (!n.device.empty()) body["device_id"] = n.device;
  auto t = api(g, http::verb::post, "/api/v1/tickets", body);
  if (!t) return tl::unexpected(t.error());
  print_ticket_line(g, *t, "created");
  return {};
}

Result<void> cmd_post(const Globals& g, const std::string& id, const std::string& rest,
                      const json& body, const std::string& done) {
  auto path = ticket_path(id, rest);
  if (!path) return tl::unexpected(path.error());
  auto reply = api(g, http::verb::post, *path, body);
  if (!reply) return tl::unexpected(reply.error());
  print_done(g, *reply, done);
  return {};
}

Result<void> cmd_patch(const Globals& g, const std::string& id, const json& body,
                       const std::string& what) {
  auto path = ticket_path(id);
  if (!path) return tl::unexpected(path.error());
  auto t = api(g, http::verb::patch, *path, body);
  if (!t) return tl::unexpected(t.error());
  print_ticket_line(g, *t, what);
  return {};
}

Result<void> cmd_escalate(const Globals& g, const std::string& id, const std::string& reason,
                          const std::string& to) {
  auto path = ticket_path(id, "/escalate");
  if (!path) return tl::unexpected(path.error());
  json body = {{"reason", reason}};
  if (!to.empty()) body["to_tier"] = to;
  auto t = api(g, http::verb::post, *path, body);
  if (!t) return tl::unexpected(t.error());
  print_ticket_line(g, *t, "escalated");
  return {};
}

Result<void> cmd_devices(const Globals& g, bool online, const std::string& q) {
  std::string query;
  if (online) query += "?online=true";
  if (!q.empty()) query += (query.empty() ? "?q=" : "&q=") + ctl::url_encode(q);
  auto body = api(g, http::verb::get, "/api/v1/devices" + query);
  if (!body) return tl::unexpected(body.error());
  if (g.json_output) {
    print_json(*body);
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (const auto& devices = member(*body, "devices"); devices.is_array()) {
    for (const auto& d : devices) {
      const auto& on = member(d, "online");
      rows.push_back({text_of(member(d, "id")), ctl::truncate(text_of(member(d, "hostname")), 40),
                      on.is_boolean() ? (on.get<bool>() ? "yes" : "no") : "-",
                      ctl::truncate(text_of(member(d, "os")), 40),
                      text_of(member(d, "last_seen"))});
    }
  }
  ctl::print_table(std::cout, {"ID", "HOSTNAME", "ONLINE", "OS", "LAST SEEN"}, rows);
  std::cout << rows.size() << " of " << text_of(member(*body, "total")) << " devices\n";
  return {};
}

Result<void> cmd_device(const Globals& g, const std::string& id) {
  auto body = api(g, http::verb::get, "/api/v1/devices/" + ctl::url_encode(id));
  if (!body) return tl::unexpected(body.error());
  if (g.json_output) {
    print_json(*body);
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (body->is_object()) {
    for (const auto& [key, value] : body->items()) {
      rows.push_back({ctl::sanitize(key), ctl::truncate(text_of(value), 200)});
    }
  }
  ctl::print_table(std::cout, {"FIELD", "VALUE"}, rows);
  return {};
}

Result<void> cmd_findings(const Globals& g, const std::string& since) {
  auto body = api(g, http::verb::get,
                  "/api/v1/findings" + (since.empty() ? "" : "?since=" + ctl::url_encode(since)));
  if (!body) return tl::unexpected(body.error());
  if (g.json_output) {
    print_json(*body);
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (const auto& findings = member(*body, "findings"); findings.is_array()) {
    for (const auto& f : findings) {
      rows.push_back({text_of(member(f, "rule")), text_of(member(f, "severity")),
                      text_of(member(f, "devices")), text_of(member(f, "first_seen"))});
    }
  }
  ctl::print_table(std::cout, {"RULE", "SEVERITY", "DEVICES", "SINCE"}, rows);
  std::cout << "findings are reported by the endpoints: leads, not verdicts\n";
  return {};
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
  Globals g;
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
  TicketFilter filter;
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
  NewTicket n;
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
    return api(g, verb, target, body);
  };
  const ctl::Output output{std::cout, std::cerr, g.json_output};
  int order_exit = kExitOk;
  auto take_exit = [&order_exit](Result<int> r) -> Result<void> {
    if (!r) return tl::unexpected(r.error());
    order_exit = *r;
    return {};
  };

  Result<void> result;
  if (*actions) {
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
    result = cmd_login(g, name, password_stdin);
  } else if (*password) {
    result = cmd_password(g, password_stdin);
  } else if (*logout) {
    result = cmd_logout(g);
  } else if (*tickets) {
    result = cmd_tickets(g, filter);
  } else if (*show) {
    result = cmd_ticket_show(g, id);
  } else if (*create) {
    result = cmd_ticket_create(g, n);
  } else if (*add_note) {
    result = cmd_post(
        g, id, "/notes", {{"text", text}, {"visibility", public_note ? "public" : "internal"}},
        std::string(public_note ? "public" : "internal") + " note added to ticket #" + id);
  } else if (*escalate) {
    result = cmd_escalate(g, id, reason, to_tier);
  } else if (*assign) {
    result = cmd_patch(g, id, {{"assignee", user}}, "assigned");
  } else if (*set_status) {
    json body = {{"status", status}};
    if (!reason.empty()) body["reason"] = reason;
    result = cmd_patch(g, id, body, "updated");
  } else if (*time) {
    json body = {{"minutes", minutes}};
    if (!note.empty()) body["note"] = note;
    result =
        cmd_post(g, id, "/time", body, std::to_string(minutes) + " min recorded on ticket #" + id);
  } else if (*devices) {
    result = cmd_devices(g, online, q);
  } else if (*device) {
    result = cmd_device(g, device_id);
  } else if (*findings) {
    result = cmd_findings(g, since);
  } else if (*audit) {
    auto body = api(g, http::verb::get, ctl::audit_target(audit_query));
    if (!body) {
      result = tl::unexpected(body.error());
    } else if (g.json_output) {
      print_json(*body);
    } else {
      ctl::print_audit(std::cout, *body);
    }
  }
  if (!result) {
    std::cerr << "triagectl: " << ctl::sanitize(result.error().message) << "\n";
    return exit_code(result.error());
  }
  return order_exit;
}
