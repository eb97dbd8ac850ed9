#pragma once
// A real OpenLDAP slapd (Debian's package) for tests: a test CA and a server certificate for
// 127.0.0.1, a slapd.conf (mdb database, the memberof overlay, access only for bound users), a
// directory loaded over LDAP from the test's entries, slapd on ldap:// (with StartTLS) and
// ldaps:// on free loopback ports, stopped by its PID when the object goes.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace triage::testing {

class ChildProcess;

class SlapdServer {
 public:
  static constexpr const char* kSuffix = "dc=example,dc=com";
  static constexpr const char* kAdminDn = "cn=admin,dc=example,dc=com";
  static constexpr const char* kAdminPassword = "admin-secret-123";

  /// Starts slapd with an empty directory under kSuffix, then adds `ldif`: records of
  /// "attribute: value" lines separated by blank lines, each starting with its "dn: ..." (no
  /// base64, no folded lines), in order. Throws with slapd's log when anything fails.
  explicit SlapdServer(const std::string& ldif);
  /// Stops slapd by its PID.
  ~SlapdServer();
  SlapdServer(const SlapdServer&) = delete;
  SlapdServer& operator=(const SlapdServer&) = delete;

  /// "ldap://127.0.0.1:PORT" (StartTLS offered) and "ldaps://127.0.0.1:PORT".
  std::string ldap_url() const;
  std::string ldaps_url() const;
  int ldap_port() const { return ldap_port_; }
  int ldaps_port() const { return ldaps_port_; }
  /// The CA that issued slapd's certificate (subjectAltName IP 127.0.0.1, DNS directory.test).
  std::filesystem::path ca_file() const { return dir_.path() / "ca.pem"; }
  /// A CA that issued nothing slapd has.
  std::filesystem::path other_ca_file() const { return dir_.path() / "other-ca.pem"; }
  /// A scratch directory that goes with the server (for the tests' own files).
  const std::filesystem::path& dir() const { return dir_.path(); }
  pid_t pid() const;

  /// As the directory's admin over ldap://: replaces every value of `attribute` of `dn`.
  void replace(const std::string& dn, const std::string& attribute, const std::string& value);
  /// Adds (`add` true) or deletes one value of `attribute` of `dn`.
  void change_value(const std::string& dn, const std::string& attribute, const std::string& value,
                    bool add);
  /// Adds the records of `ldif` (the constructor's format).
  void add(const std::string& ldif);

 private:
  TempDir dir_;
  int ldap_port_ = 0;
  int ldaps_port_ = 0;
  std::unique_ptr<ChildProcess> slapd_;
};

}  // namespace triage::testing
