// The user notice on Linux: written to the terminal of every user session in utmp, as `wall`
// does, without a shell or a helper program.
#include "agent/actions/user_notice.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmpx.h>

#include <cctype>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

#include <spdlog/spdlog.h>

namespace triage::agent {

namespace {

/// "pts/3", "tty1": letters, digits and one inner '/', never "..".
bool plausible_line(const std::string& line) {
  if (line.empty() || line.front() == '/' || line.back() == '/') return false;
  if (line.find("..") != std::string::npos) return false;
  for (char c : line) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/') return false;
  }
  return true;
}

/// The terminal lines of user sessions. getutxent keeps global state: one reader at a time.
std::vector<std::string> session_lines(const std::string& utmp_path) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::vector<std::string> lines;
  if (::utmpxname(utmp_path.c_str()) != 0) return lines;
  ::setutxent();
  while (const utmpx* entry = ::getutxent()) {
    if (entry->ut_type != USER_PROCESS) continue;
    lines.emplace_back(entry->ut_line, strnlen(entry->ut_line, sizeof entry->ut_line));
  }
  ::endutxent();
  return lines;
}

}  // namespace

std::size_t send_user_notice(const UserNoticePolicy& policy, const std::string& text) {
  std::set<std::string> done;
  for (const auto& line : session_lines(policy.utmp_path)) {
    if (!plausible_line(line) || !done.insert(line).second) continue;
    const std::string path = "/dev/" + line;
    const int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    bool sent = false;
    if (::fstat(fd, &st) == 0 && S_ISCHR(st.st_mode)) {
      sent = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    }
    ::close(fd);
    if (!sent) {
      done.erase(line);
      spdlog::debug("user notice: {} not written", path);
    }
  }
  return done.size();
}

}  // namespace triage::agent
