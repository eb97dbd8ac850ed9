#include "tests/support/rt_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <openssl/evp.h>

#include "shared/transport/http_client.hpp"

namespace triage::testing {

namespace {

constexpr const char* kSetupDatabase = "/usr/sbin/rt-setup-database-5";
constexpr const char* kRtServer = "/usr/share/request-tracker5/libexec/rt-server";

// A port the kernel just handed out on 127.0.0.1; RT needs it in its config before it binds.
std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("bind");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_open(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return open;
}

std::string perl_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::vector<std::string> with_env(const std::filesystem::path& root,
                                  std::vector<std::string> argv) {
  std::vector<std::string> out = {"/usr/bin/env",
                                  "RT_SITE_CONFIG=" + (root / "RT_SiteConfig.pm").string(),
                                  "RT_SITE_CONFIG_DIR=" + (root / "RT_SiteConfig.d").string()};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace

bool rt_tests_skipped() {
  const char* skip = std::getenv("TRIAGE_SKIP_RT");
  if (skip && *skip && std::string(skip) != "0") return true;
  return false;
}

RtServer::RtServer() : port_(free_loopback_port()) {
  const auto& root = temp_.path();
  for (const char* dir : {"RT_SiteConfig.d", "var", "mason", "session"}) {
    std::filesystem::create_directories(root / dir);
  }
  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  std::ofstream config(root / "RT_SiteConfig.pm");
  config << "Set($rtname, 'triage-test');\n"
         << "Set($Organization, 'triage-test');\n"
         << "Set($DatabaseType, 'SQLite');\n"
         << "Set($DatabaseName, " << perl_quote((root / "rt.db").string()) << ");\n"
         << "Set($WebDomain, '127.0.0.1');\n"
         << "Set($WebPort, " << port_ << ");\n"
         << "Set($WebPath, '');\n"
         << "Set($WebBaseURL, '" << base
         << "');\n"
         // Mail goes to an mbox file under $VarPath (the temp dir), never to a mail server.
         << "Set($MailCommand, 'mbox');\n"
         << "Set($CorrespondAddress, 'rt\\@localhost');\n"
         << "Set($CommentAddress, 'rt-comment\\@localhost');\n"
         << "Set($LogToSTDERR, 'warning');\n"
         << "Set($LogToSyslog, undef);\n"
         << "Set($LogToFile, undef);\n"
         << "Set($Timezone, 'UTC');\n"
         // RT's own paths default to /var/lib and /var/cache; keep everything in the temp dir.
         << "$RT::VarPath = " << perl_quote((root / "var").string()) << ";\n"
         << "$RT::MasonDataDir = " << perl_quote((root / "mason").string()) << ";\n"
         << "$RT::MasonSessionDir = " << perl_quote((root / "session").string()) << ";\n"
         << "1;\n";
  config.close();
  const auto t0 = std::chrono::steady_clock::now();
  auto init = run_command(with_env(root, {kSetupDatabase, "--action", "init", "--skip-create"}),
                          root, "", std::chrono::minutes(3));
  if (init.exit_code != 0) {
    throw std::runtime_error("rt-setup-database-5 failed: " + init.out + init.err);
  }
  const auto t1 = std::chrono::steady_clock::now();
  init_duration = std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0);
  start();
  start_duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t1);
}

RtServer::~RtServer() { stop(); }

std::string RtServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void RtServer::start() {
  if (process_) return;
  process_ = std::make_unique<ChildProcess>(
      with_env(temp_.path(), {kRtServer, "--host", "127.0.0.1", "--port", std::to_string(port_)}),
      temp_.path(), "rt-server");
  if (!eventually([&] { return !process_->running() || answers(); }, std::chrono::minutes(1)) ||
      !process_->running()) {
    std::string err = process_->stderr_text();
    process_.reset();
    throw std::runtime_error("rt-server did not answer on port " + std::to_string(port_) + ": " +
                             err.substr(0, 2000));
  }
}

void RtServer::stop() {
  if (!process_) return;
  process_->stop(std::chrono::seconds(10));
  process_.reset();
  eventually([&] { return !port_open(port_); }, std::chrono::seconds(10));
}

bool RtServer::answers() const { return call("GET", "/queues/all").status == 200; }

RtAnswer RtServer::call(const std::string& method, const std::string& path,
                        const std::optional<nlohmann::json>& body) const {
  namespace http = transport::http;
  transport::HttpRequest request{http::string_to_verb(method), "/REST/2.0" + path, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  request.set(http::field::authorization, "Basic " + base64(std::string(kUser) + ":" + kPassword));
  if (body) {
    request.set(http::field::content_type, "application/json");
    request.body() = body->dump();
  }
  request.prepare_payload();
  transport::HttpsRequestOptions options;
  options.timeout = std::chrono::seconds(30);
  options.connect_timeout = std::chrono::seconds(2);
  auto response =
      transport::http_request("127.0.0.1", std::to_string(port_), std::move(request), options);
  RtAnswer answer;
  if (!response) return answer;
  answer.status = response->result_int();
  answer.text = response->body();
  answer.body = nlohmann::json::parse(answer.text, nullptr, false);
  return answer;
}

std::string RtServer::create_ticket(const std::string& subject, const std::string& requester) {
  auto answer = call("POST", "/ticket",
                     nlohmann::json{{"Queue", "General"},
                                    {"Subject", subject},
                                    {"Requestor", requester},
                                    {"Content", "reported by phone"},
                                    {"ContentType", "text/plain"}});
  if (answer.status != 201 || !answer.body.is_object()) {
    throw std::runtime_error("RT ticket create failed: " + answer.text.substr(0, 500));
  }
  const auto& id = answer.body["id"];
  return id.is_string() ? id.get<std::string>() : std::to_string(id.get<std::int64_t>());
}

}  // namespace triage::testing
