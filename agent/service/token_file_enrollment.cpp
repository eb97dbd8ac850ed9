#include "agent/service/token_file_enrollment.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include <spdlog/spdlog.h>

#include "agent/enroll/enroll_token.hpp"
#include "agent/state/system_paths.hpp"

namespace triage::agent {

namespace {

// The token enrolls a device in the fleet: a file another local user could have written would
// let them choose which token (and so which enrollment) this root daemon uses.
Result<void> check_token_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return fail("token file " + path.string() + ": cannot stat");
  if (!S_ISREG(st.st_mode)) return fail("token file " + path.string() + ": not a regular file");
  if (st.st_uid != ::geteuid()) {
    return fail("token file " + path.string() + ": owned by uid " + std::to_string(st.st_uid) +
                ", expected " + std::to_string(::geteuid()) + " (chown it, mode 0600)");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 07777);
    return fail("token file " + path.string() + ": mode 0" + mode.str() +
                " lets group or others write it (chmod 0600)");
  }
  return {};
}

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
  if (auto r = check_token_file(source.token_file); !r) return tl::unexpected(r.error());
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
