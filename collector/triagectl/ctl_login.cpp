#include "collector/triagectl/ctl_login.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

namespace {

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

}  // namespace

Result<void> login(const Globals& g, const std::string& name, bool password_stdin,
                   const Output& o) {
  auto server = server_option(g);
  if (!server) return tl::unexpected(server.error());
  Endpoint e;
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
  json body{{"name", name}, {"password", *password}};
  auto reply = call(e, http::verb::post, "/api/v1/auth/login", body);
  if (!reply) return tl::unexpected(reply.error());
  // An account with a second factor: the code (or a recovery code) is the next line of
  // standard input, or asked for on the terminal.
  if (reply->status == 401 &&
      text_of(member(member(reply->body, "error"), "code")) == "totp_required") {
    auto code = read_password(password_stdin, "Authentication code: ");
    if (!code) return tl::unexpected(code.error());
    body["totp_code"] = *code;
    reply = call(e, http::verb::post, "/api/v1/auth/login", body);
    if (!reply) return tl::unexpected(reply.error());
  }
  if (reply->status != 200) return tl::unexpected(api_error(*reply));
  const auto& token = member(reply->body, "token");
  if (!token.is_string() || token.get<std::string>().empty()) {
    return fail("the server's login answer holds no token");
  }
  const auto& user = member(reply->body, "user");
  Credentials c{e.server, e.ca_pem, token.get<std::string>(),
                text_of(member(reply->body, "expires_at")), text_of(member(user, "name"))};
  if (auto r = save_credentials(config_dir(g), c); !r) return r;
  if (o.json) {
    o.out << json{{"server", c.server}, {"user", user}, {"expires_at", c.expires_at}}.dump(2)
          << "\n";
  } else {
    o.out << "logged in to " << sanitize(c.server) << " as " << c.user << " ("
          << text_of(member(user, "role")) << "), session expires " << c.expires_at << "\n";
  }
  return {};
}

Result<void> change_password(const ApiCall& api, bool password_stdin, const Output& o) {
  auto current = read_password(password_stdin, "Current password: ");
  if (!current) return tl::unexpected(current.error());
  auto next = read_password(password_stdin, "New password: ");
  if (!next) return tl::unexpected(next.error());
  if (!password_stdin) {
    auto again = read_password(false, "New password again: ");
    if (!again) return tl::unexpected(again.error());
    if (*again != *next) return fail(ErrorCode::kInvalid, "the new passwords differ");
  }
  auto reply = api(http::verb::post, "/api/v1/me/password",
                   json{{"current_password", *current}, {"new_password", *next}});
  if (!reply) return tl::unexpected(reply.error());
  if (o.json) {
    o.out << reply->dump(2) << "\n";
  } else {
    o.out << "password changed; your other sessions were signed out\n";
  }
  return {};
}

Result<void> logout(const Globals& g, const Output& o) {
  auto removed = delete_credentials(config_dir(g));
  if (!removed) return tl::unexpected(removed.error());
  o.out << (*removed ? "logged out\n" : "not logged in\n");
  return {};
}

}  // namespace triage::ctl
