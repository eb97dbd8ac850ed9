#include "collector/triagectl/ctl_client.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <openssl/ssl.h>

#include "shared/transport/https_client.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/url.hpp"
#include "shared/util/files.hpp"

namespace triage::ctl {

namespace http = transport::http;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxCredentialsBytes = 1024 * 1024;
constexpr std::size_t kMaxResponseBytes = 8 * 1024 * 1024;

std::string errno_text(const fs::path& path, const char* what) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

Result<transport::SslContextPtr> tls_context(const std::string& ca_pem) {
  if (!ca_pem.empty()) return transport::make_client_tls_context({ca_pem, "", ""});
  // No collector CA given: trust the system store (a collector behind a public certificate).
  auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return fail("loading the system trust store: " + ec.message());
  ctx->set_verify_mode(boost::asio::ssl::verify_peer, ec);
  if (ec) return fail("TLS setup: " + ec.message());
  return ctx;
}

}  // namespace

fs::path default_config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "triage";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".config" / "triage";
}

fs::path credentials_path(const fs::path& config_dir) { return config_dir / "credentials.json"; }

Result<std::optional<Credentials>> load_credentials(const fs::path& config_dir) {
  const auto path = credentials_path(config_dir);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<Credentials>();
    return fail(errno_text(path, "cannot open"));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    auto message = errno_text(path, "cannot stat");
    ::close(fd);
    return fail(message);
  }
  if (!S_ISREG(st.st_mode) || st.st_uid != ::getuid()) {
    ::close(fd);
    return fail(ErrorCode::kDenied, path.string() +
                                        " is not a regular file owned by you; remove it and "
                                        "run triagectl login");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(ErrorCode::kDenied, path.string() + " is accessible by group or others (mode " +
                                        mode + "); refusing to use it. Run `chmod 600 " +
                                        path.string() + "` or triagectl login again");
  }
  ::close(fd);
  auto text = read_file(path, kMaxCredentialsBytes);
  if (!text) return fail("reading credentials", text.error());
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorCode::kDenied,
                path.string() + " is not valid JSON; run triagectl login again");
  }
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c{str("server"), str("ca_pem"), str("token"), str("expires_at"), str("user")};
  if (c.server.empty() || c.token.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(std::move(c));
}

Result<void> save_credentials(const fs::path& config_dir, const Credentials& c) {
  if (auto r = ensure_directory(config_dir, 0700); !r) return fail("config directory", r.error());
  nlohmann::json j = {{"server", c.server},
                      {"ca_pem", c.ca_pem},
                      {"token", c.token},
                      {"expires_at", c.expires_at},
                      {"user", c.user}};
  if (auto r = write_file_atomic(credentials_path(config_dir), j.dump(2) + "\n", 0600); !r) {
    return fail("writing credentials", r.error());
  }
  return {};
}

Result<bool> delete_credentials(const fs::path& config_dir) {
  std::error_code ec;
  bool removed = fs::remove(credentials_path(config_dir), ec);
  if (ec) return fail("removing " + credentials_path(config_dir).string() + ": " + ec.message());
  return removed;
}

Result<std::string> normalize_server(const std::string& text) {
  auto url = transport::parse_url(text);
  if (!url) return fail(ErrorCode::kInvalid, "--server: " + url.error().message);
  if (url->scheme != "https") return fail(ErrorCode::kInvalid, "--server must be an https:// URL");
  const bool ipv6 = url->host.find(':') != std::string::npos;
  return "https://" + (ipv6 ? "[" + url->host + "]" : url->host) + ":" + url->port;
}

Result<ApiReply> call(const Endpoint& endpoint, http::verb verb, const std::string& target,
                      const std::optional<nlohmann::json>& body) {
  auto url = transport::parse_url(endpoint.server);
  if (!url) return fail(ErrorCode::kInvalid, "--server: " + url.error().message);
  if (url->scheme != "https") {
    return fail(ErrorCode::kInvalid, "--server must be an https:// URL");
  }
  auto tls = tls_context(endpoint.ca_pem);
  if (!tls) return fail("TLS setup", tls.error());
  transport::HttpRequest req{verb, target, 11};
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, "triagectl");
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = body->dump();
  }
  if (!endpoint.token.empty()) req.set(http::field::authorization, "Bearer " + endpoint.token);
  transport::HttpsRequestOptions options;
  options.max_response_bytes = kMaxResponseBytes;
  auto res = transport::https_request(**tls, url->host, url->port, std::move(req), options);
  if (!res) return fail(ErrorCode::kUnavailable, res.error().message);
  ApiReply reply;
  reply.status = res->result_int();
  if (!res->body().empty()) {
    reply.body = nlohmann::json::parse(res->body(), nullptr, false);
    if (reply.body.is_discarded()) {
      return fail("the server answered HTTP " + std::to_string(reply.status) +
                  " with a body that is not JSON");
    }
  }
  return reply;
}

Error api_error(const ApiReply& reply) {
  std::string message;
  if (reply.body.is_object()) {
    auto it = reply.body.find("error");
    if (it != reply.body.end() && it->is_object()) {
      auto m = it->find("message");
      if (m != it->end() && m->is_string()) message = m->get<std::string>();
    }
  }
  if (message.empty()) message = "request failed";
  message += " (HTTP " + std::to_string(reply.status) + ")";
  return Error{std::move(message), reply.status == 401 ? ErrorCode::kDenied : ErrorCode::kFailed};
}

std::string url_encode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

}  // namespace triage::ctl
