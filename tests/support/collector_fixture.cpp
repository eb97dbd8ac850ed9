#include "tests/support/collector_fixture.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <stdexcept>

#include <sqlite3.h>

#include "shared/transport/https_client.hpp"
#include "shared/util/files.hpp"

namespace triage::testing {

namespace http = transport::http;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

CollectorFixture::CollectorFixture(const std::string& extra_config) {
  config_ = temp_.path() / "collector.toml";
  {
    std::ofstream f(config_);
    // Extra config first, so that it may set top-level keys (staff_listen).
    f << extra_config << "\n";
    if (extra_config.find("[log]") == std::string::npos) f << "[log]\nlevel = \"debug\"\n";
    if (extra_config.find("[metrics]") == std::string::npos) {
      const auto token_file = temp_.path() / "metrics.token";
      std::ofstream(token_file) << metrics_token() << "\n";
      f << "[metrics]\ntoken_file = \"" << token_file.string() << "\"\n";
    }
  }
  auto init = run_command({binary("triage-collector"), "init", "--data", data_dir().string()},
                          temp_.path());
  if (init.exit_code != 0) throw std::runtime_error("collector init failed: " + init.err);
  std::smatch m;
  static const std::regex kFingerprint("CA sha256: ([0-9a-f]{64})");
  if (!std::regex_search(init.out, m, kFingerprint)) {
    throw std::runtime_error("init printed no fingerprint: " + init.out);
  }
  ca_sha256_ = m[1];
  start();
}

CollectorFixture::~CollectorFixture() { stop(); }

std::string CollectorFixture::ca_pem() const {
  return read_file(data_dir() / "pki" / "ca.pem").value_or("");
}

void CollectorFixture::start() {
  std::string listen = "127.0.0.1:" + std::to_string(port_);
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{binary("triage-collector"), "serve", "--data", data_dir().string(),
                               "--listen", listen, "--config", config_.string()},
      temp_.path(), "collector" + std::to_string(++starts_));
  static const std::regex kListening("listening on https://127\\.0\\.0\\.1:([0-9]+)");
  std::smatch m;
  bool up = eventually([&] {
    auto out = process_->stdout_text();
    return std::regex_search(out, m, kListening) || !process_->running();
  });
  auto out = process_->stdout_text();
  if (!up || !std::regex_search(out, m, kListening)) {
    throw std::runtime_error("collector did not start: " + process_->stderr_text());
  }
  port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
  static const std::regex kStaff("staff listener on https://127\\.0\\.0\\.1:([0-9]+)");
  staff_port_ = std::regex_search(out, m, kStaff) ? static_cast<std::uint16_t>(std::stoi(m[1])) : 0;
}

void CollectorFixture::stop() {
  if (process_) process_->stop();
}

std::vector<ReportRow> CollectorFixture::reports(const std::string& device_id) {
  std::vector<ReportRow> rows;
  sqlite3* db = nullptr;
  const auto path = (data_dir() / "collector.db").string();
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT seq, kind, received_at, payload FROM reports WHERE device_id = ? "
                     "ORDER BY seq",
                     -1, &stmt, nullptr);
  sqlite3_bind_text(stmt, 1, device_id.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ReportRow row;
    row.seq = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 0));
    row.kind = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    row.received_at = sqlite3_column_int64(stmt, 2);
    row.payload.assign(static_cast<const char*>(sqlite3_column_blob(stmt, 3)),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt, 3)));
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

CommandResult CollectorFixture::cli(std::vector<std::string> args, const std::string& stdin_text) {
  std::vector<std::string> argv = {binary("triage-collector")};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--data");
  argv.push_back(data_dir().string());
  return run_command(argv, temp_.path(), stdin_text);
}

std::string CollectorFixture::create_token(int uses, const std::string& ttl) {
  auto r = cli({"token", "create", "--uses", std::to_string(uses), "--ttl", ttl});
  if (r.exit_code != 0) throw std::runtime_error("token create failed: " + r.err);
  return trim(r.out);
}

void CollectorFixture::add_user(const std::string& name, const std::string& role,
                                const std::string& password) {
  auto r =
      cli({"user", "add", "--name", name, "--role", role, "--password-stdin"}, password + "\n");
  if (r.exit_code != 0) throw std::runtime_error("user add failed: " + r.err);
}

std::string CollectorFixture::login_as(const std::string& name, const std::string& role) {
  const std::string password = "correct horse battery " + name;
  add_user(name, role, password);
  auto res = post("/api/v1/auth/login", {{"name", name}, {"password", password}});
  if (res.status != 200) throw std::runtime_error("login failed: " + res.body.dump());
  return res.body["token"];
}

const std::string& CollectorFixture::admin_token() {
  if (!admin_token_) admin_token_ = login_as("admin", "admin");
  return *admin_token_;
}

ApiResponse CollectorFixture::get(const std::string& target, const std::string& bearer) {
  return request(http::verb::get, target, "", bearer);
}

ApiResponse CollectorFixture::post(const std::string& target, const nlohmann::json& body,
                                   const std::string& bearer) {
  return request(http::verb::post, target, body.dump(), bearer);
}

ApiResponse CollectorFixture::patch(const std::string& target, const nlohmann::json& body,
                                    const std::string& bearer) {
  return request(http::verb::patch, target, body.dump(), bearer);
}

ApiResponse CollectorFixture::request(http::verb verb, const std::string& target,
                                      const std::string& body, const std::string& bearer) {
  Headers headers;
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return send(verb, target, body, headers);
}

ApiResponse CollectorFixture::send(http::verb verb, const std::string& target,
                                   const std::string& body, const Headers& headers) {
  return api_request(ca_pem(), port_, verb, target, body, headers);
}

ApiResponse api_request(const std::string& ca_pem, std::uint16_t port, http::verb verb,
                        const std::string& target, const std::string& body,
                        const Headers& headers) {
  auto tls = transport::make_client_tls_context({ca_pem, "", ""});
  if (!tls) throw std::runtime_error(tls.error().message);
  transport::HttpRequest req{verb, target, 11};
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  for (const auto& [name, value] : headers) req.set(name, value);
  req.prepare_payload();
  auto res = transport::https_request(**tls, "127.0.0.1", std::to_string(port), std::move(req));
  if (!res) throw std::runtime_error("API call failed: " + res.error().message);
  ApiResponse out;
  out.status = res->result_int();
  out.body = nlohmann::json::parse(res->body(), nullptr, false);
  out.text = res->body();
  for (const auto& field : *res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers[name] = std::string(field.value());
  }
  return out;
}

std::string ApiResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

AgentFixture::AgentFixture(CollectorFixture& collector, const std::string& name)
    : collector_(collector),
      name_(name),
      state_(collector.root() / ("agent-" + name)),
      config_(collector.root() / ("agent-" + name + ".toml")) {
  std::ofstream(config_) << "[probes]\nenabled = false\n";
}

AgentFixture::~AgentFixture() { stop(); }

CommandResult AgentFixture::enroll() {
  return run_command({binary("triage-agent"), "enroll", "--server", collector_.wss_url(), "--token",
                      collector_.create_token(), "--ca-sha256", collector_.ca_sha256(), "--state",
                      state_.string()},
                     collector_.root());
}

void AgentFixture::start() { start({}); }

void AgentFixture::start(const std::vector<std::string>& run_args) {
  std::vector<std::string> argv{binary("triage-agent"), "--log-level", "debug", "run", "--state",
                                state_.string()};
  argv.insert(argv.end(), run_args.begin(), run_args.end());
  if (std::find(run_args.begin(), run_args.end(), "--config") == run_args.end()) {
    argv.push_back("--config");
    argv.push_back(config_.string());
  }
  process_ = std::make_unique<ChildProcess>(std::move(argv), collector_.root(), "agent-" + name_);
}

void AgentFixture::stop() {
  if (process_) process_->stop();
}

std::string AgentFixture::device_id() const {
  auto text = read_file(state_ / "enrollment.json");
  if (!text) return "";
  return nlohmann::json::parse(*text, nullptr, false).value("device_id", "");
}

transport::SslContextPtr AgentFixture::device_tls() const {
  auto tls = transport::make_client_tls_context({collector_.ca_pem(),
                                                 read_file(state_ / "device.pem").value(),
                                                 read_file(state_ / "device.key").value()});
  if (!tls) throw std::runtime_error("device TLS context: " + tls.error().message);
  return *tls;
}

bool device_online(CollectorFixture& collector, const std::string& device_id) {
  auto res = collector.get("/api/v1/devices", collector.admin_token());
  if (res.status != 200) return false;
  for (const auto& d : res.body["devices"]) {
    if (d["id"] == device_id) return d["online"].get<bool>();
  }
  return false;
}

double CollectorFixture::metric(const std::string& line_prefix) {
  auto tls = transport::make_client_tls_context({ca_pem(), "", ""});
  if (!tls) return -1;
  transport::HttpRequest req{transport::http::verb::get, "/metrics", 11};
  req.set(transport::http::field::authorization, "Bearer " + metrics_token());
  auto res = transport::https_request(**tls, "127.0.0.1", std::to_string(port()), std::move(req));
  if (!res || res->result() != transport::http::status::ok) return -1;
  const auto& body = res->body();
  auto pos = body.find("\n" + line_prefix + " ");
  if (pos == std::string::npos) return 0;
  return std::stod(body.substr(pos + line_prefix.size() + 2));
}

}  // namespace triage::testing
