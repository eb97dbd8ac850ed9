#include "collector/integrations/rt/rt_client.hpp"

#include <algorithm>
#include <cctype>

#include <openssl/evp.h>

#include "shared/transport/http_client.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/url.hpp"

namespace triage::collector {

namespace http = transport::http;

namespace {

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kPerPage = 100;

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

Result<RtCredentials> parse_rt_credentials(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return fail(ErrorCode::kInvalid, "credentials must be a JSON object");
  RtCredentials c;
  auto text_of = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  c.token = text_of("token");
  c.username = text_of("username");
  c.password = text_of("password");
  auto printable = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= 0x20 && ch < 0x7f; }) &&
           s.size() <= 512;
  };
  if (!printable(c.token) || !printable(c.username) || !printable(c.password)) {
    return fail(ErrorCode::kInvalid, "credentials must be printable ASCII, at most 512 bytes");
  }
  if (c.token.empty() && (c.username.empty() || c.password.empty())) {
    return fail(ErrorCode::kInvalid,
                "credentials need a `token`, or a `username` and a `password`");
  }
  if (c.username.find(':') != std::string::npos) {
    return fail(ErrorCode::kInvalid, "the user name must not contain ':'");
  }
  return c;
}

Result<void> check_rt_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrlBytes) {
    return fail(ErrorCode::kInvalid, "`url` must be 1-2048 bytes");
  }
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return fail(ErrorCode::kInvalid, "`url` must be printable ASCII without spaces");
  }
  if (url.find_first_of("#?") != std::string_view::npos) {
    return fail(ErrorCode::kInvalid, "`url` must not contain a query or fragment");
  }
  const bool plain = url.starts_with("http://");
  if (!plain && !url.starts_with("https://")) {
    return fail(ErrorCode::kInvalid, "`url` must start with https://");
  }
  auto parsed = transport::parse_url(
      plain ? "https://" + std::string(url.substr(7)) : std::string(url), plain ? "80" : "443");
  if (!parsed) return fail(ErrorCode::kInvalid, "`url`: " + parsed.error().message);
  if (plain && !transport::is_loopback_host(parsed->host)) {
    return fail(ErrorCode::kInvalid,
                "`url`: plain http:// is allowed only to a loopback address; use https://");
  }
  return {};
}

Result<RtClient> RtClient::create(std::string_view base_url, RtCredentials credentials,
                                  transport::SslContextPtr tls, RtSettings settings) {
  if (auto r = check_rt_url(base_url); !r) return tl::unexpected(r.error());
  const bool plain = base_url.starts_with("http://");
  auto parsed = transport::parse_url(
      plain ? "https://" + std::string(base_url.substr(7)) : std::string(base_url),
      plain ? "80" : "443");
  if (!parsed) return tl::unexpected(parsed.error());
  RtClient c;
  c.tls_ = !plain;
  c.host_ = parsed->host;
  c.port_ = parsed->port;
  c.base_path_ = parsed->path;
  while (!c.base_path_.empty() && c.base_path_.back() == '/') c.base_path_.pop_back();
  c.credentials_ = std::move(credentials);
  c.tls_context_ = std::move(tls);
  c.settings_ = settings;
  if (c.tls_ && !c.tls_context_) return fail("no TLS context for an https:// RT");
  return c;
}

RtResult<nlohmann::json> RtClient::call(http::verb method, const std::string& path,
                                        const std::optional<nlohmann::json>& body,
                                        bool want_array) {
  transport::HttpRequest request{method, base_path_ + "/REST/2.0" + path, 11};
  const bool ipv6 = host_.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + host_ + "]" : host_;
  if (port_ != (tls_ ? "443" : "80")) host += ":" + port_;
  request.set(http::field::host, host);
  request.set(http::field::user_agent, std::string("triage-collector/") + TRIAGE_VERSION);
  request.set(http::field::accept, "application/json");
  if (!credentials_.token.empty()) {
    request.set(http::field::authorization, "token " + credentials_.token);
  } else {
    request.set(http::field::authorization,
                "Basic " + base64(credentials_.username + ":" + credentials_.password));
  }
  if (body) {
    request.set(http::field::content_type, "application/json");
    request.body() = body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  request.prepare_payload();
  transport::HttpsRequestOptions options;
  options.connect_timeout = settings_.connect_timeout;
  options.timeout = settings_.request_timeout;
  options.max_response_bytes = settings_.max_response_bytes;
  auto response =
      tls_ ? transport::https_request(*tls_context_, host_, port_, std::move(request), options)
           : transport::http_request(host_, port_, std::move(request), options);
  if (!response) return tl::unexpected(rt_failure(true, 0, response.error().message));
  return read_rt_answer(response->result_int(), response->body(), want_array);
}

RtResult<std::string> RtClient::create_ticket(const std::string& queue,
                                              const std::string& requester,
                                              const std::string& subject, const std::string& body) {
  nlohmann::json request = {
      {"Queue", queue}, {"Subject", subject}, {"Content", body}, {"ContentType", "text/plain"}};
  if (!requester.empty()) request["Requestor"] = requester;
  auto answer = call(http::verb::post, "/ticket", request, false);
  if (!answer) return tl::unexpected(answer.error());
  return rt_created_ticket_id(*answer);
}

RtResult<void> RtClient::comment(const std::string& ticket_id, const std::string& subject,
                                 const std::string& text, const std::vector<RtFile>& files) {
  if (!valid_rt_ticket_id(ticket_id)) {
    return tl::unexpected(rt_failure(false, 0, "not an RT ticket id: " + ticket_id));
  }
  nlohmann::json request = {{"Subject", subject}, {"Content", text}, {"ContentType", "text/plain"}};
  if (!files.empty()) {
    auto list = nlohmann::json::array();
    for (const auto& f : files) {
      list.push_back(
          {{"FileName", f.name}, {"FileType", f.content_type}, {"FileContent", base64(f.content)}});
    }
    request["Attachments"] = std::move(list);
  }
  // RT answers a list of messages ("Comments added").
  auto answer = call(http::verb::post, "/ticket/" + ticket_id + "/comment", request, true);
  if (!answer) return tl::unexpected(answer.error());
  return {};
}

RtResult<std::string> RtClient::ticket_status(const std::string& ticket_id) {
  if (!valid_rt_ticket_id(ticket_id)) {
    return tl::unexpected(rt_failure(false, 0, "not an RT ticket id: " + ticket_id));
  }
  auto answer = call(http::verb::get, "/ticket/" + ticket_id, std::nullopt, false);
  if (!answer) return tl::unexpected(answer.error());
  return rt_ticket_status(*answer);
}

RtResult<std::vector<RtAttachmentInfo>> RtClient::attachments(const std::string& ticket_id,
                                                              std::size_t limit) {
  if (!valid_rt_ticket_id(ticket_id)) {
    return tl::unexpected(rt_failure(false, 0, "not an RT ticket id: " + ticket_id));
  }
  std::vector<RtAttachmentInfo> out;
  for (std::size_t page = 1; out.size() < limit; ++page) {
    auto answer = call(http::verb::get,
                       "/ticket/" + ticket_id +
                           "/attachments?fields=Filename,Subject,TransactionId&orderby=id&order="
                           "DESC&per_page=" +
                           std::to_string(kPerPage) + "&page=" + std::to_string(page),
                       std::nullopt, false);
    if (!answer) return tl::unexpected(answer.error());
    auto on_page = rt_attachment_page(*answer, out);
    if (!on_page) return tl::unexpected(on_page.error());
    if (*on_page < kPerPage) break;
  }
  return out;
}

RtResult<std::vector<std::string>> RtClient::find_tickets(const std::string& marker) {
  if (marker.find_first_of("'\\\"") != std::string::npos) {
    return tl::unexpected(rt_failure(false, 0, "a ticket search marker must not hold quotes"));
  }
  auto answer = call(http::verb::get,
                     "/tickets?query=" + url_encode("Subject LIKE '" + marker + "'") +
                         "&orderby=id&order=ASC&per_page=20",
                     std::nullopt, false);
  if (!answer) return tl::unexpected(answer.error());
  return rt_ticket_ids(*answer);
}

RtResult<bool> RtClient::has_subject(const std::string& ticket_id, const std::string& subject) {
  auto list = attachments(ticket_id);
  if (!list) return tl::unexpected(list.error());
  return std::any_of(list->begin(), list->end(),
                     [&](const RtAttachmentInfo& a) { return a.subject == subject; });
}

}  // namespace triage::collector
