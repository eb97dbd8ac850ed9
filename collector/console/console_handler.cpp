#include "collector/console/console_handler.hpp"

#include <algorithm>

#include "collector/console/console_files.hpp"

namespace triage::collector {

namespace http = transport::http;

namespace {

constexpr std::string_view kIndex = "/index.html";

const ConsoleFile* find_file(std::string_view path) {
  auto files = console_files();
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const ConsoleFile& f, std::string_view p) { return f.path < p; });
  if (it == files.end() || it->path != path) return nullptr;
  return &*it;
}

bool starts_with_segment(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
}

// A last segment with a dot names a file; without one it is a client-side route.
bool names_a_file(std::string_view path) {
  auto last = path.substr(path.rfind('/') + 1);
  return last.find('.') != std::string_view::npos;
}

transport::HttpResponse base_response(const transport::HttpRequest& request, http::status status) {
  transport::HttpResponse res{status, request.version()};
  res.set("Content-Security-Policy", kConsoleCsp);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  return res;
}

transport::HttpResponse text_response(const transport::HttpRequest& request, http::status status,
                                      std::string_view text) {
  auto res = base_response(request, status);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::string(text);
  res.prepare_payload();
  return res;
}

}  // namespace

bool is_console_path(std::string_view path) {
  for (std::string_view api : {"/api", "/agent", "/healthz", "/metrics"}) {
    if (starts_with_segment(path, api)) return false;
  }
  return path.starts_with('/');
}

std::optional<transport::HttpResponse> console_response(const transport::HttpRequest& request) {
  std::string_view target = request.target();
  auto path = target.substr(0, target.find('?'));
  if (!is_console_path(path)) return std::nullopt;
  if (request.method() != http::verb::get) {
    auto res = text_response(request, http::status::method_not_allowed, "method not allowed\n");
    res.set(http::field::allow, "GET");
    return res;
  }
  // Dot segments never reach a file: the table holds only canonical paths.
  const ConsoleFile* file = path == "/" ? find_file(kIndex) : find_file(path);
  if (file == nullptr && !names_a_file(path)) file = find_file(kIndex);
  if (file == nullptr) return text_response(request, http::status::not_found, "not found\n");

  // Files keep their names across releases, so the browser revalidates every time (cheap:
  // a 304 without the body) instead of running a stale console against a newer API.
  const bool fresh = request[http::field::if_none_match] == file->etag;
  auto res = base_response(request, fresh ? http::status::not_modified : http::status::ok);
  res.set(http::field::content_type, file->content_type);
  res.set(http::field::cache_control, "no-cache");
  res.set(http::field::etag, file->etag);
  if (!fresh) res.body() = std::string(file->body);
  res.prepare_payload();
  return res;
}

}  // namespace triage::collector
