#include "agent/actions/windows_shell_guard.hpp"

#include <algorithm>
#include <array>

namespace triage::agent {

namespace {

// NetBIOS domain (or computer) names and SAM user names, as WTSDomainName / WTSUserName give them.
constexpr std::size_t kMaxDomain = 15;
constexpr std::size_t kMaxUser = 20;
// Sessions named in a refusal: enough to see who is there, bounded whatever the machine holds.
constexpr std::size_t kMaxListed = 8;

constexpr std::array kSystemDomains = {
    std::string_view{"NT AUTHORITY"},   std::string_view{"NT SERVICE"},
    std::string_view{"Window Manager"}, std::string_view{"Font Driver Host"},
    std::string_view{"IIS APPPOOL"},    std::string_view{"NT VIRTUAL MACHINE"},
    std::string_view{"BUILTIN"},
};

constexpr std::array kSystemUsers = {
    std::string_view{"SYSTEM"},          std::string_view{"LocalSystem"},
    std::string_view{"LOCAL SERVICE"},   std::string_view{"LocalService"},
    std::string_view{"NETWORK SERVICE"}, std::string_view{"NetworkService"},
    std::string_view{"ANONYMOUS LOGON"},
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equal_ignoring_case(text.substr(0, prefix.size()), prefix);
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The desktop window manager's and the font driver host's per-session accounts: DWM-1, UMFD-0.
bool is_session_system_account(std::string_view user) {
  for (std::string_view prefix : {std::string_view{"DWM-"}, std::string_view{"UMFD-"}}) {
    if (starts_with_ignoring_case(user, prefix) && all_digits(user.substr(prefix.size()))) {
      return true;
    }
  }
  return false;
}

bool is_system_account(std::string_view domain, std::string_view user) {
  const auto named = [](auto& list, std::string_view text) {
    return std::any_of(list.begin(), list.end(),
                       [&](std::string_view n) { return equal_ignoring_case(n, text); });
  };
  // Computer and managed service accounts end in `$`.
  return named(kSystemDomains, domain) || named(kSystemUsers, user) ||
         is_session_system_account(user) || (!user.empty() && user.back() == '$');
}

bool valid_domain(std::string_view d) {
  return !d.empty() && d.size() <= kMaxDomain && is_alnum(d.front()) &&
         std::all_of(d.begin(), d.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

// A space or a dot never ends a name: Windows trims them, so "bob." would not be the account.
bool valid_user(std::string_view u) {
  if (u.empty() || u.size() > kMaxUser) return false;
  const auto inner = [](char c) {
    return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == ' ';
  };
  return (is_alnum(u.front()) || u.front() == '_') && u.back() != ' ' && u.back() != '.' &&
         std::all_of(u.begin(), u.end(), inner);
}

/// `text` cut short and with anything unprintable replaced, to quote in a message.
std::string quoted(std::string_view text) {
  std::string out(text.substr(0, 40));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return "`" + out + (text.size() > 40 ? "...`" : "`");
}

bool matches(const WindowsAccount& account, const UserSession& s) {
  return equal_ignoring_case(account.user, s.user) &&
         (account.domain.empty() || equal_ignoring_case(account.domain, s.domain));
}

std::string session_account(const UserSession& s) {
  return s.domain.empty() ? s.user : s.domain + "\\" + s.user;
}

const char* state_name(SessionState state) {
  switch (state) {
    case SessionState::kActive:
      return "active";
    case SessionState::kDisconnected:
      return "disconnected";
    case SessionState::kOther:
      break;
  }
  return "other";
}

std::string describe(const std::vector<const UserSession*>& sessions) {
  std::string text;
  for (std::size_t i = 0; i < sessions.size() && i < kMaxListed; ++i) {
    const auto& s = *sessions[i];
    text += (i == 0 ? "" : ", ") + session_account(s) + " in session " + std::to_string(s.id) +
            " (" + state_name(s.state) + ")";
  }
  if (sessions.size() > kMaxListed) text += ", ...";
  return text;
}

}  // namespace

std::string WindowsAccount::shown() const { return domain.empty() ? user : domain + "\\" + user; }

Result<WindowsAccount> parse_windows_account(std::string_view text) {
  const auto shape = [&] {
    return fail(ErrorCode::kInvalid,
                "restart-explorer: " + quoted(text) +
                    " is not an account name: give `user` or `DOMAIN\\user` (letters, digits, "
                    "`_ . -`, spaces inside the user name; at most 15 and 20 characters)");
  };
  if (text.size() > kMaxDomain + 1 + kMaxUser) return shape();
  WindowsAccount account;
  const auto sep = text.find('\\');
  if (sep == std::string_view::npos) {
    account.user = std::string(text);
  } else {
    account.domain = std::string(text.substr(0, sep));
    account.user = std::string(text.substr(sep + 1));
  }
  // Before the shape: "NT AUTHORITY\SYSTEM" deserves the real reason, not a spelling lesson.
  if (is_system_account(account.domain, account.user)) {
    return fail(ErrorCode::kDenied, "restart-explorer refuses " + quoted(text) +
                                        ": a system or service account, which has no Explorer "
                                        "of its own");
  }
  if ((sep != std::string_view::npos && !valid_domain(account.domain)) ||
      !valid_user(account.user)) {
    return shape();
  }
  return account;
}

Result<UserSession> choose_user_session(const WindowsAccount& account,
                                        const std::vector<UserSession>& sessions) {
  std::vector<const UserSession*> signed_in;
  std::vector<const UserSession*> found;
  for (const auto& s : sessions) {
    // Session 0 runs services only; a session in another state has no desktop to restart.
    if (s.id == 0 || s.user.empty() || s.state == SessionState::kOther) continue;
    signed_in.push_back(&s);
    if (matches(account, s)) found.push_back(&s);
  }
  if (found.empty()) {
    return fail(ErrorCode::kNotFound,
                account.shown() + " has no session on this PC (" +
                    (signed_in.empty() ? std::string("nobody is signed in")
                                       : "signed in: " + describe(signed_in)) +
                    ")");
  }
  for (const auto* s : found) {
    if (!equal_ignoring_case(s->domain, found.front()->domain)) {
      return fail(ErrorCode::kConflict, account.shown() +
                                            " names several accounts signed in here (" +
                                            describe(found) + "); give DOMAIN\\user");
    }
  }
  if (found.size() == 1) return *found.front();
  std::vector<const UserSession*> active;
  std::copy_if(found.begin(), found.end(), std::back_inserter(active),
               [](const UserSession* s) { return s->state == SessionState::kActive; });
  if (active.size() == 1) return *active.front();
  return fail(ErrorCode::kConflict,
              account.shown() + " has " + std::to_string(found.size()) + " sessions and " +
                  (active.empty() ? "none" : "more than one") + " is active (" + describe(found) +
                  "), so which one is meant is unclear");
}

bool is_windows_dir_image(std::string_view image_path, std::string_view windows_dir,
                          std::string_view relative) {
  const auto separator = [](char c) { return c == '\\' || c == '/'; };
  while (!windows_dir.empty() && separator(windows_dir.back())) windows_dir.remove_suffix(1);
  if (windows_dir.empty() || relative.empty() || separator(relative.front())) return false;
  if (image_path.size() != windows_dir.size() + 1 + relative.size()) return false;
  const auto same = [&](char a, char b) {
    return (separator(a) && separator(b)) || (!separator(a) && lower(a) == lower(b));
  };
  return std::equal(windows_dir.begin(), windows_dir.end(), image_path.begin(), same) &&
         separator(image_path[windows_dir.size()]) &&
         std::equal(relative.begin(), relative.end(), image_path.begin() + windows_dir.size() + 1,
                    same);
}

}  // namespace triage::agent
