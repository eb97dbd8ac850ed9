// triage-collector: the central server and its administration commands.

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "collector/audit/audit_log.hpp"
#include "collector/audit/audit_verify.hpp"
#include "collector/audit/cli_actor.hpp"
#include "collector/auth/accounts.hpp"
#include "collector/auth/api_tokens.hpp"
#include "collector/cli/backup_commands.hpp"
#include "collector/cli/migrate_storage_command.hpp"
#include "collector/cli/password_input.hpp"
#include "collector/cli/site_config.hpp"
#include "collector/enrollment/enrollment_service.hpp"
#include "collector/server/add_node.hpp"
#include "collector/server/collector_config.hpp"
#include "collector/server/data_dir.hpp"
#include "collector/server/serve.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/util/files.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/logging.hpp"
#include "shared/util/time_format.hpp"

namespace tc = triage::collector;

namespace {

template <class T>
T or_exit(triage::Result<T> result, const std::string& what) {
  if (!result) throw std::runtime_error(what + ": " + result.error().message);
  return std::move(*result);
}

void or_exit(triage::Result<void> result, const std::string& what) {
  if (!result) throw std::runtime_error(what + ": " + result.error().message);
}

// The store of the site whose data directory is `dir`, as `serve` would open it.
tc::StorePtr open_store(const tc::DataDir& dir, const tc::SiteConfig& site) {
  return or_exit(tc::open_site_store(dir, site), "opening the database");
}

// The audit log of an administration command: events chained into the same database a
// running collector uses, signed into a checkpoint when the command ends.
class CliAudit {
 public:
  CliAudit(tc::Store& store, const tc::DataDir& dir)
      : keys_(or_exit(tc::load_keys(dir), "loading the signing key")),
        log_(store, tc::AuditLogOptions{keys_.signing_key.get()}) {}
  ~CliAudit() {
    if (auto c = log_.checkpoint(std::chrono::system_clock::now()); !c) {
      std::cerr << "triage-collector: audit checkpoint failed: " << c.error().message << "\n";
    }
  }
  tc::AuditLog& log() { return log_; }

 private:
  tc::CollectorKeys keys_;
  tc::AuditLog log_;
};

int audit_verify(const tc::DataDir& dir, const tc::SiteConfig& site) {
  auto store = open_store(dir, site);
  auto pem = or_exit(triage::read_file(dir.signing_public_key()), "reading the public key");
  auto key = or_exit(triage::pki::public_key_from_pem(pem), dir.signing_public_key().string());
  auto result = or_exit(tc::verify_audit_log(*store, key.get()), "audit verify");
  if (!result.intact) {
    std::cerr << "audit log BROKEN at seq " << result.first_bad_seq.value_or(0) << ": "
              << result.message << "\n";
    return 2;
  }
  std::cout << result.message << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"triage-collector: diagnostics, tickets and approved remediation for endpoints"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(TRIAGE_VERSION));
  std::string log_format = "human";
  std::string log_level;
  app.add_option("--log-format", log_format, "human or json")
      ->check(CLI::IsMember({"human", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");

  std::string data_dir;
  auto add_data = [&](CLI::App* sub) {
    sub->add_option("--data", data_dir, "collector data directory")->required();
  };
  // Every command that opens the store reads the site's configuration as `serve` does.
  std::string config_file;
  std::vector<CLI::App*> site_commands;
  auto add_config = [&](CLI::App* sub) {
    site_commands.push_back(sub);
    sub->add_option("--config", config_file,
                    "TOML configuration file (default: collector.toml in the data directory, "
                    "when there is one); its [storage] names the store")
        ->check(CLI::ExistingFile);
  };

  auto* init = app.add_subcommand("init", "create the data directory, CA, keys and database");
  add_data(init);
  std::vector<std::string> dns_names, ip_addresses;
  init->add_option("--dns", dns_names, "extra DNS names for the server certificate");
  init->add_option("--ip", ip_addresses, "extra IP addresses for the server certificate");

  auto* serve = app.add_subcommand("serve", "run the collector");
  add_data(serve);
  std::string listen, staff_listen;
  serve->add_option("--listen", listen, "HOST:PORT (default 127.0.0.1:8443; port 0 = any)");
  serve->add_option("--staff-listen", staff_listen,
                    "HOST:PORT of a second listener for staff, console, API and /metrics only "
                    "(no agents; default none)");
  add_config(serve);

  auto* fingerprint = app.add_subcommand("ca-fingerprint", "print the CA's SHA-256");
  add_data(fingerprint);

  auto* token = app.add_subcommand("token", "enrollment tokens");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "create an enrollment token");
  add_data(token_create);
  add_config(token_create);
  std::string ttl = "24h";
  int uses = 1;
  token_create->add_option("--ttl", ttl, "validity, e.g. 30m, 24h, 7d")->capture_default_str();
  token_create->add_option("--uses", uses, "number of enrollments allowed")->capture_default_str();

  auto* user = app.add_subcommand("user", "staff accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "create a user");
  add_data(user_add);
  add_config(user_add);
  std::string user_name, user_role;
  bool password_stdin = false;
  user_add->add_option("--name", user_name, "login name")->required();
  user_add->add_option("--role", user_role, "viewer|technician|senior|admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "technician", "senior", "admin"}));
  bool user_service = false;
  user_add->add_flag("--password-stdin", password_stdin,
                     "read the password from standard input (else one is generated, printed, "
                     "and must be changed at first login)");
  user_add->add_flag("--service", user_service,
                     "a service account for an integration: no password, API tokens only, never "
                     "an order's requester or approver");

  auto* user_passwd = user->add_subcommand(
      "passwd",
      "set a person's password, read from standard input (never the command line); their "
      "sessions end, their API tokens stay");
  add_data(user_passwd);
  add_config(user_passwd);
  std::string passwd_name;
  bool passwd_temporary = false;
  user_passwd->add_option("NAME", passwd_name, "login name")->required();
  user_passwd->add_flag("--must-change", passwd_temporary,
                        "the user must replace it at their next sign-in (a password you hand "
                        "over)");

  auto* user_totp_reset = user->add_subcommand(
      "totp-reset",
      "remove a person's second factor (TOTP and recovery codes), e.g. for an admin who lost "
      "their authenticator; they sign in with the password and enroll again");
  add_data(user_totp_reset);
  add_config(user_totp_reset);
  std::string totp_reset_name;
  user_totp_reset->add_option("NAME", totp_reset_name, "login name")->required();

  auto* device = app.add_subcommand("device", "enrolled devices");
  device->require_subcommand(1);
  auto* device_revoke = device->add_subcommand("revoke", "revoke a device (refused from then on)");
  add_data(device_revoke);
  add_config(device_revoke);
  std::string device_id;
  device_revoke->add_option("ID", device_id, "device id")->required();

  auto* api_token = app.add_subcommand("api-token", "API tokens for integrations");
  api_token->require_subcommand(1);
  auto* api_token_create =
      api_token->add_subcommand("create", "create an API token (printed once)");
  add_data(api_token_create);
  add_config(api_token_create);
  std::string api_token_user, api_token_name, api_token_ttl = "90d";
  api_token_create
      ->add_option("--user", api_token_user,
                   "service account the token acts as (people mint their own over the API)")
      ->required();
  api_token_create->add_option("--name", api_token_name, "label, e.g. rt-connector")->required();
  api_token_create->add_option("--ttl", api_token_ttl, "validity, e.g. 30d (at most 365d)")
      ->capture_default_str();
  auto* api_token_list = api_token->add_subcommand("list", "list API tokens (never secrets)");
  add_data(api_token_list);
  add_config(api_token_list);
  auto* api_token_revoke = api_token->add_subcommand("revoke", "revoke an API token");
  add_data(api_token_revoke);
  add_config(api_token_revoke);
  std::string api_token_id;
  api_token_revoke->add_option("--id", api_token_id, "token id (from list)")->required();

  auto* audit = app.add_subcommand("audit", "the tamper-evident audit log");
  audit->require_subcommand(1);
  auto* audit_verify_cmd = audit->add_subcommand(
      "verify", "check the hash chain and the signed checkpoints (exit 0 when intact)");
  add_data(audit_verify_cmd);
  add_config(audit_verify_cmd);

  auto* migrate_storage = app.add_subcommand(
      "migrate-storage",
      "copy the data directory's SQLite store into an empty PostgreSQL database (stop the "
      "collector first)");
  add_data(migrate_storage);
  tc::MigrateStorageArgs migrate_args;
  migrate_storage->add_option("--to", migrate_args.to, "postgres://... URL or libpq string")
      ->required();
  migrate_storage->add_flag("--with-sessions", migrate_args.with_sessions,
                            "copy staff login sessions too (else everyone logs in again)");

  auto* node = app.add_subcommand("node", "collector nodes sharing one PostgreSQL database");
  node->require_subcommand(1);
  auto* node_add = node->add_subcommand(
      "add",
      "make the data directory of another node: this cluster's CA, order-signing key and "
      "integrations.key, a server certificate of its own, and the cluster's configuration");
  std::string node_from, node_data, node_name, node_config;
  std::vector<std::string> node_ips;
  node_add->add_option("--from", node_from, "an existing node's data directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  node_add->add_option("--data,--data-dir", node_data, "the new node's data directory (new)")
      ->required();
  node_add
      ->add_option("--config", node_config,
                   "the cluster's configuration file ([storage] backend = \"postgres\"), "
                   "copied to the new node")
      ->required()
      ->check(CLI::ExistingFile);
  node_add->add_option("--name", node_name,
                       "the new node's DNS name, in its server certificate (default: this "
                       "machine's host name)");
  node_add->add_option("--ip", node_ips, "the new node's IP addresses, in its server certificate");

  const tc::BackupCommands backup_commands(app);

  CLI11_PARSE(app, argc, argv);

  try {
    auto format = triage::parse_log_format(log_format);
    std::string level = log_level.empty() ? "info" : log_level;
    tc::DataDir dir(data_dir);
    // Read before logging starts: serve's [log] sets the level and format.
    tc::SiteConfig site;
    if (std::any_of(site_commands.begin(), site_commands.end(),
                    [](const CLI::App* sub) { return sub->parsed(); })) {
      site = or_exit(tc::load_site_config(dir, config_file), "config");
    }
    auto& config = site.config;
    if (serve->parsed()) {
      if (!listen.empty()) config.listen = listen;
      if (!staff_listen.empty()) config.staff_listen = staff_listen;
      if (log_level.empty()) level = config.log_level;
      if (log_format == "human" && config.log_format == "json") format = triage::LogFormat::kJson;
    }
    or_exit(triage::setup_logging("triage-collector", *format, level,
                                  serve->parsed() ? config.log_file : triage::LogFile{}),
            "logging");
    if (serve->parsed()) {
      or_exit(triage::apply_log_levels({level, config.log_levels}), "config [log.levels]");
    }
    const auto now = std::chrono::system_clock::now();

    if (init->parsed()) {
      auto fp = or_exit(tc::initialize_data_dir(dir, {dns_names, ip_addresses}), "init");
      std::cout << "initialized " << dir.root().string() << "\n"
                << "CA sha256: " << fp << "\n";
      return 0;
    }
    if (serve->parsed()) {
      auto store = or_exit(tc::open_site_store(dir, site, tc::StoreUse::kServer), "serve");
      return tc::run_serve(dir, config, std::move(store), {site.file, log_level});
    }
    if (auto code = backup_commands.run()) return *code;
    if (node_add->parsed()) {
      if (node_name.empty()) {
        char host[256] = {};
        if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
          or_exit(triage::fail("this machine's host name is unknown: give --name"), "node add");
        }
        node_name = host;
      }
      const tc::DataDir added(node_data);
      or_exit(tc::add_node(tc::DataDir(node_from), added, {node_name, node_ips, node_config}),
              "node add");
      std::cout << "node " << node_name << ": data directory " << added.root().string() << "\n"
                << "CA sha256: " << or_exit(tc::ca_fingerprint(added), "ca-fingerprint") << "\n"
                << "start it with: triage-collector serve --data " << added.root().string()
                << " --config " << added.config_file().string() << "\n";
      return 0;
    }
    if (fingerprint->parsed()) {
      std::cout << or_exit(tc::ca_fingerprint(dir), "ca-fingerprint") << "\n";
      return 0;
    }
    if (audit_verify_cmd->parsed()) return audit_verify(dir, site);
    if (migrate_storage->parsed()) return tc::run_migrate_storage(dir, migrate_args);
    if (token_create->parsed()) {
      auto store = open_store(dir, site);
      CliAudit audit(*store, dir);
      auto duration = or_exit(tc::parse_duration(ttl), "--ttl");
      triage::Result<tc::CreatedToken> created_token = triage::fail("not created");
      or_exit(audit.log().record_with([&](tc::WriteTx& tx) -> triage::Result<tc::AuditEvent> {
        created_token = tc::create_enrollment_token(tx.devices(), duration, uses, "cli", now);
        if (!created_token) return tl::unexpected(created_token.error());
        auto event = tc::cli_audit_event("enrollment_token.created",
                                         "enrollment_token:" + created_token->record.id, now);
        event.details["uses"] = uses;
        event.details["expires_at"] = triage::format_rfc3339(created_token->record.expires_at);
        return event;
      }),
              "token create");
      const auto& created = *created_token;
      std::cout << created.token << "\n";
      std::cerr << "token " << created.record.id << ": " << uses << " use(s), expires "
                << triage::format_rfc3339(created.record.expires_at) << "\n";
      return 0;
    }
    if (user_add->parsed()) {
      auto store = open_store(dir, site);
      std::string password;
      bool generated = false;
      if (user_service) {
        if (password_stdin) or_exit(triage::fail("a service account has no password"), "user add");
      } else if (password_stdin) {
        std::getline(std::cin, password);
      } else {
        password = tc::generate_password();
        generated = true;
      }
      CliAudit audit(*store, dir);
      const auto role = *tc::parse_role(user_role);
      auto created = or_exit(user_service ? tc::new_service_account(user_name, role, now)
                                          : tc::new_user(user_name, role, password, now),
                             "user add");
      // A printed password has been on a screen and in a file (the demo keeps it): its owner
      // replaces it before anything else works.
      created.must_change_password = generated;
      or_exit(audit.log().record_with([&](tc::WriteTx& tx) -> triage::Result<tc::AuditEvent> {
        auto id = tx.auth().insert_user(created);
        if (!id) return tl::unexpected(id.error());
        created.id = *id;
        auto event = tc::cli_audit_event("user.created", "user:" + created.name, now);
        event.details["role"] = tc::role_name(created.role);
        event.details["kind"] = tc::user_kind_name(created.kind);
        return event;
      }),
              "user add");
      std::cerr << (user_service ? "service account " : "user ") << created.name << " ("
                << tc::role_name(created.role) << ") created"
                << (generated ? "; the password below must be changed at first login" : "") << "\n";
      if (generated) std::cout << password << "\n";
      return 0;
    }
    if (user_passwd->parsed()) {
      auto store = open_store(dir, site);
      auto found = or_exit(store->read().auth().find_user_by_name(passwd_name), "user passwd");
      if (!found || found->kind != tc::UserKind::kPerson) {
        or_exit(
            triage::fail("no person named " + passwd_name + " (a service account has no password)"),
            "user passwd");
      }
      if (found->source == tc::UserSource::kLdap) {
        or_exit(triage::fail(found->name +
                             " signs in with the company directory: set the password there"),
                "user passwd");
      }
      const auto password = tc::read_password_line("new password for " + found->name + ": ");
      or_exit(tc::check_password_rules(password, found->name), "user passwd");
      const auto hash = or_exit(triage::pki::hash_password(password), "user passwd");
      CliAudit audit(*store, dir);
      or_exit(audit.log().record_with([&](tc::WriteTx& tx) -> triage::Result<tc::AuditEvent> {
        auto set = passwd_temporary ? tx.auth().reset_password(found->id, hash)
                                    : tx.auth().set_password(found->id, hash, "");
        if (!set) return tl::unexpected(set.error());
        auto event =
            tc::cli_audit_event(passwd_temporary ? "user.password_reset" : "user.password_changed",
                                "user:" + found->name, now);
        event.details["sessions"] = "ended";
        event.details["api_tokens"] = "kept";
        return event;
      }),
              "user passwd");
      std::cerr << "password of " << found->name << " set"
                << (passwd_temporary ? " (to be replaced at the next sign-in)" : "")
                << "; their sessions ended, their API tokens stay\n";
      return 0;
    }
    if (user_totp_reset->parsed()) {
      auto store = open_store(dir, site);
      auto found =
          or_exit(store->read().auth().find_user_by_name(totp_reset_name), "user totp-reset");
      if (!found) or_exit(triage::fail("no user named " + totp_reset_name), "user totp-reset");
      CliAudit audit(*store, dir);
      or_exit(audit.log().record_with([&](tc::WriteTx& tx) -> triage::Result<tc::AuditEvent> {
        if (auto r = tx.auth().remove_totp(found->id); !r) return tl::unexpected(r.error());
        return tc::cli_audit_event("user.totp_removed", "user:" + found->name, now);
      }),
              "user totp-reset");
      std::cerr << "second factor of " << found->name
                << " removed; they sign in with their password and enroll again\n";
      return 0;
    }
    if (api_token_create->parsed()) {
      auto store = open_store(dir, site);
      CliAudit audit(*store, dir);
      auto duration = or_exit(tc::parse_duration(api_token_ttl), "--ttl");
      // API tokens are personal: a token minted here for a person would be in someone else's
      // hands. People mint their own (console, POST /api/v1/auth/tokens).
      auto holder =
          or_exit(store->read().auth().find_user_by_name(api_token_user), "api-token create");
      if (holder && holder->kind != tc::UserKind::kService) {
        or_exit(triage::fail("user " + api_token_user +
                             " is a person: API tokens are personal (they mint their own from "
                             "the console or the API); this command mints only for a service "
                             "account (user add --service)"),
                "api-token create");
      }
      triage::Result<tc::CreatedApiToken> created_token = triage::fail("not created");
      or_exit(audit.log().record_with([&](tc::WriteTx& tx) -> triage::Result<tc::AuditEvent> {
        created_token =
            tc::create_api_token(tx.auth(), api_token_user, api_token_name, duration, "cli", now);
        if (!created_token) return tl::unexpected(created_token.error());
        auto event =
            tc::cli_audit_event("api_token.created", "api_token:" + created_token->record.id, now);
        event.details["user"] = created_token->record.user_name;
        event.details["name"] = created_token->record.name;
        event.details["expires_at"] = triage::format_rfc3339(created_token->record.expires_at);
        return event;
      }),
              "api-token create");
      const auto& created = *created_token;
      std::cout << created.token << "\n";
      std::cerr << "API token " << created.record.id << " for " << created.record.user_name
                << ", expires " << triage::format_rfc3339(created.record.expires_at)
                << "; it is shown only now\n";
      return 0;
    }
    if (api_token_list->parsed()) {
      auto store = open_store(dir, site);
      auto tokens = or_exit(store->read().auth().list_api_tokens(), "api-token list");
      constexpr const char* row = "{:<13} {:<20} {:<20} {:<25} {:<25} {}\n";
      std::cout << fmt::format(row, "ID", "USER", "NAME", "EXPIRES", "LAST USED", "STATE");
      for (const auto& t : tokens) {
        std::string state = t.revoked_at ? "revoked" : t.expires_at <= now ? "expired" : "active";
        std::string last = t.last_used_at ? triage::format_rfc3339(*t.last_used_at) : "never";
        std::cout << fmt::format(row, t.id, t.user_name, t.name,
                                 triage::format_rfc3339(t.expires_at), last, state);
      }
      return 0;
    }
    if (api_token_revoke->parsed()) {
      auto store = open_store(dir, site);
      CliAudit audit(*store, dir);
      or_exit(audit.log().record_with([&](tc::WriteTx& tx) -> triage::Result<tc::AuditEvent> {
        if (auto r = tx.auth().revoke_api_token(api_token_id, now); !r) {
          return tl::unexpected(r.error());
        }
        return tc::cli_audit_event("api_token.revoked", "api_token:" + api_token_id, now);
      }),
              "api-token revoke");
      std::cerr << "API token " << api_token_id << " revoked; refused from the next request on\n";
      return 0;
    }
    if (device_revoke->parsed()) {
      auto store = open_store(dir, site);
      CliAudit audit(*store, dir);
      or_exit(audit.log().record_with([&](tc::WriteTx& tx) -> triage::Result<tc::AuditEvent> {
        if (auto r = tx.devices().revoke_device(device_id, now); !r)
          return tl::unexpected(r.error());
        return tc::cli_audit_event("device.revoked", "device:" + device_id, now);
      }),
              "device revoke");
      std::cerr << "device " << device_id
                << " revoked; a running collector refuses it at its next connection\n";
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "triage-collector: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
