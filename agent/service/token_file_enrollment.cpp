#include "agent/service/token_file_enrollment.hpp"

#include <sstream>

#include <spdlog/spdlog.h>

#include "agent/enroll/enroll_token.hpp"
#include "agent/service/token_file_permissions.hpp"
#include "agent/state/system_paths.hpp"

namespace triage::agent {

namespace {

Result<void> remove_token_file(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return fail("deleting token file " + path.string() + ": " + ec.message());
  return {};
}

}  // namespace

std::filesystem::path default_token_file() {
  return system_paths().config_file.parent_path() / "enroll.token";
}

Result<std::optional<std::string>> enroll_from_token_file(const StateDir& state,
                                                          const TokenFileEnrollment& source,
                                                          const EnrollFunction& enroll_with) {
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(source.token_file, ec);
  if (ec || status.type() == std::filesystem::file_type::not_found) {
    return std::optional<std::string>{};
  }
  if (state.enrolled()) {
    if (auto r = remove_token_file(source.token_file); !r) return tl::unexpected(r.error());
    spdlog::info("already enrolled: deleted the unused token file {}", source.token_file.string());
    return std::optional<std::string>{};
  }
  if (auto r = check_token_file_permissions(source.token_file); !r)
    return tl::unexpected(r.error());
  const std::string where = "enrolling from token file " + source.token_file.string();
  if (source.server_url.empty() || source.ca_sha256.empty()) {
    return fail(where + ": the config needs [collector] url and ca_sha256");
  }
  TokenSource from_file;
  from_file.file = source.token_file;
  std::istringstream no_stdin;
  auto token = read_enrollment_token(from_file, no_stdin);
  if (!token) return fail(where, token.error());

  EnrollOptions options;
  options.server_url = source.server_url;
  options.token = std::move(*token);
  options.ca_sha256 = source.ca_sha256;
  options.state = state;
  options.hostname = source.hostname;
  auto device_id = enroll_with(options);
  if (!device_id) return fail(where + " (the file is kept for the next start)", device_id.error());
  if (auto r = remove_token_file(source.token_file); !r) return tl::unexpected(r.error());
  spdlog::info("enrolled as device {} from {} (deleted)", *device_id, source.token_file.string());
  return std::optional<std::string>{*device_id};
}

}  // namespace triage::agent
