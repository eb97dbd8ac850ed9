#include "agent/probes/http_get_probe.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "agent/collectors/redact.hpp"
#include "agent/probes/deadline_io.hpp"
#include "agent/probes/probe_connection.hpp"
#include "shared/probes/probe_params.hpp"

namespace triage::agent {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// The body bytes a probe keeps at most, whatever its output budget.
constexpr std::size_t kMaxBodyPrefix = 4096;

std::string printable(boost::beast::string_view text, std::size_t max) {
  std::string out(text.data(), std::min(text.size(), max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

struct HopOutcome {
  std::string location;
  std::string content_type;
  std::string body;
  bool truncated = false;
  bool ok = false;
};

template <class Stream>
HopOutcome exchange(Stream& stream, ProbeConnection& connection, const probes::ProbeUrl& url,
                    std::size_t body_cap, ProbeBudget& budget, v1::HttpHop& hop,
                    ProbeBudget::Clock::time_point start) {
  HopOutcome outcome;
  http::request<http::empty_body> req{http::verb::get, url.target, 11};
  req.set(http::field::host,
          url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host);
  req.set(http::field::user_agent, "triage-agent probe");
  req.set(http::field::accept, "*/*");
  req.set(http::field::connection, "close");
  auto cancel = [&] {
    boost::system::error_code ignored;
    connection.socket().close(ignored);
  };
  auto ec = run_until(
      connection.ioc(), budget.deadline(),
      [&](Done done) {
        http::async_write(stream, req,
                          [done](const boost::system::error_code& e, std::size_t) { done(e); });
      },
      cancel);
  if (ec) {
    if (ec == net::error::timed_out) budget.cut("time budget ran out while sending the request");
    hop.set_error("sending the request: " + ec.message());
    return outcome;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(16 * 1024);
  // The body is read only up to its cap; its announced length is no reason to refuse it.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  ec = run_until(
      connection.ioc(), budget.deadline(),
      [&](Done done) {
        http::async_read_header(
            stream, buffer, parser,
            [done](const boost::system::error_code& e, std::size_t) { done(e); });
      },
      cancel);
  hop.set_first_byte_ms(elapsed_ms(start));
  if (ec) {
    if (ec == net::error::timed_out) budget.cut("time budget ran out waiting for the response");
    hop.set_error("reading the response: " + ec.message());
    return outcome;
  }
  const auto& head = parser.get();
  hop.set_status(head.result_int());
  outcome.location = printable(head[http::field::location], 2048);
  outcome.content_type = printable(head[http::field::content_type], 200);
  char chunk[2048];
  while (!parser.is_done() && outcome.body.size() < body_cap) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    ec = run_until(
        connection.ioc(), budget.deadline(),
        [&](Done done) {
          http::async_read(stream, buffer, parser,
                           [done](const boost::system::error_code& e, std::size_t) { done(e); });
        },
        cancel);
    outcome.body.append(chunk, sizeof chunk - parser.get().body().size);
    if (ec == http::error::need_buffer) continue;
    if (ec) {
      if (ec == net::error::timed_out) budget.cut("time budget ran out while reading the body");
      break;
    }
  }
  if (outcome.body.size() > body_cap || !parser.is_done()) outcome.truncated = true;
  outcome.body.resize(std::min(outcome.body.size(), body_cap));
  outcome.ok = true;
  return outcome;
}

}  // namespace

std::string redirect_target(const std::string& base, const std::string& location) {
  if (location.empty()) return "";
  auto lower = location.substr(0, 8);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0) return location;
  auto url = probes::parse_probe_url(base);
  if (!url) return "";
  const std::string host =
      url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
  const std::string origin =
      (url->https ? "https://" : "http://") + host + ":" + std::to_string(url->port);
  if (location.rfind("//", 0) == 0) return (url->https ? "https:" : "http:") + location;
  if (location.front() == '/') return origin + location;
  // Relative to the base path's directory.
  auto path = url->target.substr(0, url->target.find('?'));
  return origin + path.substr(0, path.rfind('/') + 1) + location;
}

void run_http_get_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                        const ProbeEnvironment& env, v1::ProbeResult& result) {
  auto* out = result.mutable_http_get();
  const auto start = ProbeBudget::Clock::now();
  std::string current = request.http_get().url();
  const std::size_t body_cap = std::min<std::size_t>(kMaxBodyPrefix, budget.output_bytes() / 2);
  for (std::uint32_t hop_index = 0;; ++hop_index) {
    auto url = probes::parse_probe_url(current);
    auto* hop = out->add_hops();
    hop->set_url(redact_text(current));
    if (!url) {
      hop->set_error("not followed: " + url.error().message);
      out->set_error(hop->error());
      break;
    }
    const auto hop_start = ProbeBudget::Clock::now();
    ProbeConnection connection(env);
    auto report = connection.open(url->host, url->port, url->https, "", budget);
    hop->set_address(report.address);
    hop->set_connect_ms(report.connect_ms);
    if (report.tls) *hop->mutable_tls() = std::move(*report.tls);
    if (!report.error.empty()) {
      hop->set_error(report.error);
      hop->set_total_ms(elapsed_ms(hop_start));
      out->set_error(report.error);
      break;
    }
    auto outcome =
        url->https
            ? exchange(connection.stream(), connection, *url, body_cap, budget, *hop, hop_start)
            : exchange(connection.socket(), connection, *url, body_cap, budget, *hop, hop_start);
    hop->set_total_ms(elapsed_ms(hop_start));
    boost::system::error_code ignored;
    connection.socket().close(ignored);
    if (!outcome.ok) {
      out->set_error(hop->error());
      break;
    }
    hop->set_location(redact_text(outcome.location));
    out->set_status(hop->status());
    const bool redirect = hop->status() >= 300 && hop->status() < 400 && !outcome.location.empty();
    if (!redirect) {
      out->set_content_type(outcome.content_type);
      out->set_body_prefix(redact_text(outcome.body));
      out->set_body_truncated(outcome.truncated);
      break;
    }
    if (hop_index >= request.http_get().max_redirects()) {
      out->set_error("redirect not followed: the request allows " +
                     std::to_string(request.http_get().max_redirects()));
      break;
    }
    current = redirect_target(current, outcome.location);
    if (budget.expired()) {
      budget.cut("time budget ran out before the redirect was followed");
      break;
    }
  }
  out->set_total_ms(elapsed_ms(start));
}

}  // namespace triage::agent
