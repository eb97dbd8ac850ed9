#include "collector/auth/ldap/ldap_directory.hpp"

#include <ldap.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

namespace triage::collector {

namespace {

// A directory answering with more groups than this is cut there: role mapping needs the mapped
// groups, not a whole forest.
constexpr int kMaxGroups = 1000;
constexpr std::size_t kMaxBindPasswordBytes = 1024;
constexpr std::size_t kMaxPasswordBytes = 1024;

// One connection; unbound (and closed) when it goes.
class Connection {
 public:
  Connection() = default;
  ~Connection() {
    if (ld_ != nullptr) ldap_unbind_ext_s(ld_, nullptr, nullptr);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  LDAP** out() { return &ld_; }
  LDAP* get() const { return ld_; }

 private:
  LDAP* ld_ = nullptr;
};

// Search results, freed when they go.
class Message {
 public:
  ~Message() {
    if (msg_ != nullptr) ldap_msgfree(msg_);
  }
  LDAPMessage** out() { return &msg_; }
  LDAPMessage* get() const { return msg_; }

 private:
  LDAPMessage* msg_ = nullptr;
};

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// libldap's timeouts cover the TCP connect (NETWORK_TIMEOUT) and the wait for an answer to an
// operation (TIMEOUT), but not the TLS handshake of an ldaps:// connection: a server that
// accepts and then says nothing held the login worker for ever (GnuTLS reads again after
// every timed-out read). So each question to the directory has a deadline of its own: the
// handle's socket is noted as soon as it is connected (before TLS), and a watchdog shuts it
// down when the deadline passes, which ends any read or write on it with an error. The
// watchdog is stopped before the handle closes the socket, so it never touches a descriptor
// reused by someone else.
class SocketWatchdog {
 public:
  explicit SocketWatchdog(std::chrono::milliseconds deadline)
      : thread_([this, deadline] {
          std::unique_lock lock(mutex_);
          if (!wake_.wait_for(lock, deadline, [this] { return done_; }) && fd_ >= 0) {
            ::shutdown(fd_, SHUT_RDWR);
          }
        }) {}
  ~SocketWatchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  SocketWatchdog(const SocketWatchdog&) = delete;
  SocketWatchdog& operator=(const SocketWatchdog&) = delete;

  void watch(int fd) {
    std::lock_guard lock(mutex_);
    fd_ = fd;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  int fd_ = -1;
  bool done_ = false;
  std::thread thread_;  ///< last: started once the members it reads exist
};

int watch_socket(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* callback) {
  ber_socket_t fd = -1;
  if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) != 1 || fd < 0) return -1;
  static_cast<SocketWatchdog*>(callback->lc_arg)->watch(fd);
  return 0;
}

void forget_socket(LDAP*, Sockbuf*, ldap_conncb*) {}

// Round trips one question may take at most: connect, StartTLS, the service bind, the user
// search, the user's bind, the group search, with room to spare.
constexpr int kMostRoundTrips = 8;

// libldap's words for `rc`, with the server's or the TLS layer's own message when there is one
// ("Can't contact LDAP server (TLS: peer cert untrusted or revoked)").
std::string describe(LDAP* ld, int rc) {
  std::string text = ldap_err2string(rc);
  char* diagnostic = nullptr;
  if (ld != nullptr && ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == 0 &&
      diagnostic != nullptr) {
    if (*diagnostic != '\0') text += std::string(" (") + diagnostic + ")";
    ldap_memfree(diagnostic);
  }
  return text;
}

DirectoryAnswer answer(DirectoryVerdict verdict, std::string detail, int round_trips) {
  DirectoryAnswer a;
  a.verdict = verdict;
  a.detail = std::move(detail);
  a.round_trips = round_trips;
  return a;
}

std::string dn_of(LDAP* ld, LDAPMessage* entry) {
  char* dn = ldap_get_dn(ld, entry);
  if (dn == nullptr) return {};
  std::string out(dn);
  ldap_memfree(dn);
  return out;
}

berval password_value(std::string_view password) {
  berval cred{};
  cred.bv_val = const_cast<char*>(password.data());
  cred.bv_len = password.size();
  return cred;
}

}  // namespace

Result<std::unique_ptr<LdapDirectory>> LdapDirectory::open(LdapSettings settings) {
  if (auto checked = check_ldap_settings(settings); !checked) {
    return tl::unexpected(checked.error());
  }
  LDAPURLDesc* parsed = nullptr;
  if (ldap_url_parse(settings.url.c_str(), &parsed) != LDAP_URL_SUCCESS || parsed == nullptr ||
      parsed->lud_host == nullptr || *parsed->lud_host == '\0') {
    if (parsed != nullptr) ldap_free_urldesc(parsed);
    return fail(ErrorCode::kInvalid, "config key `auth.ldap.url`: `" + settings.url +
                                         "` is not an LDAP URL with a host name");
  }
  ldap_free_urldesc(parsed);
  {
    std::ifstream ca(settings.ca_file);
    std::string line;
    bool pem = false;
    while (!pem && std::getline(ca, line)) pem = line.rfind("-----BEGIN CERTIFICATE-----", 0) == 0;
    if (!pem) {
      return fail(ErrorCode::kInvalid, "config key `auth.ldap.ca_file`: " + settings.ca_file +
                                           " cannot be read or holds no PEM certificate");
    }
  }
  std::ifstream file(settings.bind_password_file, std::ios::binary);
  if (!file) {
    return fail(ErrorCode::kInvalid, "config key `auth.ldap.bind_password_file`: cannot read " +
                                         settings.bind_password_file);
  }
  std::string password;
  std::getline(file, password);
  while (!password.empty() && (password.back() == '\r' || password.back() == ' ')) {
    password.pop_back();
  }
  if (password.empty() || password.size() > kMaxBindPasswordBytes) {
    return fail(ErrorCode::kInvalid,
                "config key `auth.ldap.bind_password_file`: " + settings.bind_password_file +
                    " must hold the service account's password on its "
                    "first line (1-1024 bytes)");
  }
  return std::unique_ptr<LdapDirectory>(
      new LdapDirectory(std::move(settings), std::move(password)));
}

DirectoryAnswer LdapDirectory::sign_in(std::string_view login, std::string_view password) {
  // A simple bind with a DN and an empty password is an unauthenticated bind that servers
  // answer with success (RFC 4513 5.1.2): it must never reach the directory.
  if (password.empty()) return answer(DirectoryVerdict::kRejected, "empty password", 0);
  if (password.size() > kMaxPasswordBytes) {
    return answer(DirectoryVerdict::kRejected, "password too long", 0);
  }
  return ask(login, &password);
}

DirectoryAnswer LdapDirectory::look_up(std::string_view login) { return ask(login, nullptr); }

DirectoryAnswer LdapDirectory::ask(std::string_view login, const std::string_view* password) {
  const auto& s = settings_;
  int trips = 0;
  const auto unavailable = [&](const std::string& what) {
    return answer(DirectoryVerdict::kUnavailable, s.url + ": " + what, trips);
  };
  if (login.empty()) return answer(DirectoryVerdict::kRejected, "empty login", 0);

  Connection conn;
  // After conn: stopped before conn closes the socket it watches.
  SocketWatchdog watchdog(kMostRoundTrips * s.timeout);
  ldap_conncb socket_watch{&watch_socket, &forget_socket, &watchdog};
  if (int rc = ldap_initialize(conn.out(), s.url.c_str()); rc != LDAP_SUCCESS) {
    return unavailable(std::string("cannot use the URL: ") + ldap_err2string(rc));
  }
  LDAP* ld = conn.get();
  int version = LDAP_VERSION3;
  timeval timeout = to_timeval(s.timeout);
  int require = LDAP_OPT_X_TLS_DEMAND;
  int min_tls = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
  int new_context = 0;
  // The CA and the certificate check belong to this handle (never the process-wide defaults
  // or /etc/ldap/ldap.conf); NEWCTX builds its TLS context from them.
  if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, s.ca_file.c_str()) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min_tls) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &new_context) != LDAP_OPT_SUCCESS) {
    return unavailable("cannot set up TLS with the CA file " + s.ca_file);
  }
  if (ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &socket_watch) != LDAP_OPT_SUCCESS) {
    return unavailable("cannot bound the connection's waits");
  }
  if (s.starttls) {
    ++trips;
    if (int rc = ldap_start_tls_s(ld, nullptr, nullptr); rc != LDAP_SUCCESS) {
      return unavailable("StartTLS failed: " + describe(ld, rc));
    }
  }

  ++trips;
  berval service = password_value(bind_password_);
  if (int rc = ldap_sasl_bind_s(ld, s.bind_dn.c_str(), LDAP_SASL_SIMPLE, &service, nullptr, nullptr,
                                nullptr);
      rc != LDAP_SUCCESS) {
    if (rc == LDAP_INVALID_CREDENTIALS) {
      return unavailable("the service account `" + s.bind_dn +
                         "` was refused: check auth.ldap.bind_dn and bind_password_file");
    }
    return unavailable("cannot bind as the service account: " + describe(ld, rc));
  }

  // The person: exactly one enabled entry must match.
  const std::string user_filter = fill_filter(s.user_filter, "login", login);
  std::string member_attr = s.group_base.empty() ? s.member_of_attribute : "1.1";
  char* user_attrs[] = {member_attr.data(), nullptr};
  Message found;
  ++trips;
  int rc = ldap_search_ext_s(ld, s.user_base.c_str(), LDAP_SCOPE_SUBTREE, user_filter.c_str(),
                             user_attrs, 0, nullptr, nullptr, &timeout, 2, found.out());
  if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
    return unavailable("searching " + s.user_base + " failed: " + describe(ld, rc));
  }
  const int matches = ldap_count_entries(ld, found.get());
  if (matches <= 0) {
    return answer(DirectoryVerdict::kRejected, "no enabled entry matches the user filter", trips);
  }
  if (matches > 1 || rc == LDAP_SIZELIMIT_EXCEEDED) {
    return answer(DirectoryVerdict::kRejected,
                  "more than one entry matches the user filter: make auth.ldap.user_filter match "
                  "one person",
                  trips);
  }
  LDAPMessage* entry = ldap_first_entry(ld, found.get());
  const std::string dn = dn_of(ld, entry);
  if (dn.empty()) return unavailable("the directory returned an entry without a DN");

  std::vector<std::string> groups;
  if (s.group_base.empty()) {
    berval** values = ldap_get_values_len(ld, entry, s.member_of_attribute.c_str());
    if (values != nullptr) {
      for (int i = 0; values[i] != nullptr && i < kMaxGroups; ++i) {
        groups.emplace_back(values[i]->bv_val, values[i]->bv_len);
      }
      ldap_value_free_len(values);
    }
  } else {
    std::string group_filter = fill_filter(fill_filter(s.group_filter, "dn", dn), "login", login);
    std::string no_attributes = "1.1";
    char* group_attrs[] = {no_attributes.data(), nullptr};
    Message group_entries;
    ++trips;
    rc = ldap_search_ext_s(ld, s.group_base.c_str(), LDAP_SCOPE_SUBTREE, group_filter.c_str(),
                           group_attrs, 0, nullptr, nullptr, &timeout, kMaxGroups,
                           group_entries.out());
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
      return unavailable("searching groups under " + s.group_base + " failed: " + describe(ld, rc));
    }
    for (LDAPMessage* g = ldap_first_entry(ld, group_entries.get()); g != nullptr;
         g = ldap_next_entry(ld, g)) {
      groups.push_back(dn_of(ld, g));
    }
  }

  if (password != nullptr) {
    // The person's own bind proves the password; the connection is theirs from then on and is
    // closed right after.
    ++trips;
    berval cred = password_value(*password);
    rc = ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc == LDAP_INVALID_CREDENTIALS) {
      // Active Directory also answers this for a disabled, locked or expired account.
      auto refused =
          answer(DirectoryVerdict::kRejected, "the directory refused the password", trips);
      refused.dn = dn;
      return refused;
    }
    if (rc != LDAP_SUCCESS) return unavailable("cannot bind as " + dn + ": " + describe(ld, rc));
  }

  auto result = answer(DirectoryVerdict::kAccepted, {}, trips);
  result.dn = dn;
  auto role = role_for_groups(groups, s.role_groups);
  if (!role) {
    result.verdict = DirectoryVerdict::kNoRole;
    result.detail = "in none of the groups of auth.ldap.role_groups (" +
                    std::to_string(groups.size()) + " groups read)";
    return result;
  }
  result.role = *role;
  return result;
}

}  // namespace triage::collector
