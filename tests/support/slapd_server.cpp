#include "tests/support/slapd_server.hpp"

#include <ldap.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace triage::testing {

namespace {

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message);
  return std::move(*r);
}

void write(const std::filesystem::path& path, const std::string& text) {
  if (auto r = write_file_atomic(path, text, 0600); !r) {
    throw std::runtime_error("writing " + path.string() + ": " + r.error().message);
  }
}

struct Record {
  std::string dn;
  std::vector<std::pair<std::string, std::string>> values;
};

std::vector<Record> parse_ldif(const std::string& ldif) {
  std::vector<Record> records;
  std::istringstream in(ldif);
  std::string line;
  Record current;
  auto flush = [&] {
    if (!current.dn.empty()) records.push_back(std::move(current));
    current = Record{};
  };
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    auto start = line.find_first_not_of(' ');
    if (start == std::string::npos) {
      flush();
      continue;
    }
    line = line.substr(start);
    auto colon = line.find(": ");
    if (colon == std::string::npos) throw std::runtime_error("LDIF line without `: `: " + line);
    auto attribute = line.substr(0, colon);
    auto value = line.substr(colon + 2);
    if (attribute == "dn") {
      flush();
      current.dn = value;
    } else {
      if (current.dn.empty()) throw std::runtime_error("LDIF value before any dn: " + line);
      current.values.emplace_back(attribute, value);
    }
  }
  flush();
  return records;
}

// A bound admin connection over ldap://.
class AdminConnection {
 public:
  explicit AdminConnection(const std::string& url) {
    if (ldap_initialize(&ld_, url.c_str()) != LDAP_SUCCESS) {
      throw std::runtime_error("ldap_initialize " + url);
    }
    int version = LDAP_VERSION3;
    ldap_set_option(ld_, LDAP_OPT_PROTOCOL_VERSION, &version);
    timeval timeout{10, 0};
    ldap_set_option(ld_, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    ldap_set_option(ld_, LDAP_OPT_TIMEOUT, &timeout);
    std::string password = SlapdServer::kAdminPassword;
    berval cred{static_cast<ber_len_t>(password.size()), password.data()};
    rc_ = ldap_sasl_bind_s(ld_, SlapdServer::kAdminDn, LDAP_SASL_SIMPLE, &cred, nullptr, nullptr,
                           nullptr);
  }
  ~AdminConnection() { ldap_unbind_ext_s(ld_, nullptr, nullptr); }
  AdminConnection(const AdminConnection&) = delete;
  AdminConnection& operator=(const AdminConnection&) = delete;

  bool bound() const { return rc_ == LDAP_SUCCESS; }

  void check(int rc, const std::string& what) const {
    if (rc != LDAP_SUCCESS) throw std::runtime_error(what + ": " + ldap_err2string(rc));
  }

  void add(const Record& record) {
    std::map<std::string, std::vector<std::string>> by_attribute;
    for (const auto& [attribute, value] : record.values) by_attribute[attribute].push_back(value);
    std::vector<LDAPMod> mods(by_attribute.size());
    std::vector<std::vector<char*>> values(by_attribute.size());
    std::vector<LDAPMod*> list;
    std::size_t i = 0;
    for (auto& [attribute, texts] : by_attribute) {
      for (auto& t : texts) values[i].push_back(t.data());
      values[i].push_back(nullptr);
      mods[i].mod_op = LDAP_MOD_ADD;
      mods[i].mod_type = const_cast<char*>(attribute.c_str());
      mods[i].mod_values = values[i].data();
      list.push_back(&mods[i]);
      ++i;
    }
    list.push_back(nullptr);
    check(ldap_add_ext_s(ld_, record.dn.c_str(), list.data(), nullptr, nullptr),
          "adding " + record.dn);
  }

  void modify(const std::string& dn, int op, const std::string& attribute, std::string value) {
    char* values[] = {value.data(), nullptr};
    LDAPMod mod{};
    mod.mod_op = op;
    mod.mod_type = const_cast<char*>(attribute.c_str());
    mod.mod_values = values;
    LDAPMod* list[] = {&mod, nullptr};
    check(ldap_modify_ext_s(ld_, dn.c_str(), list, nullptr, nullptr),
          "modifying " + attribute + " of " + dn);
  }

 private:
  LDAP* ld_ = nullptr;
  int rc_ = -1;
};

}  // namespace

SlapdServer::SlapdServer(const std::string& ldif) {
  const auto& d = dir_.path();
  // The directory's certificate names 127.0.0.1 and directory.test, never "localhost": a client
  // that connects by that name must refuse it.
  auto ca_key = must(pki::generate_p256_key(), "directory CA key");
  auto ca =
      must(pki::make_ca_certificate(ca_key.get(), "directory test CA", std::chrono::hours(24)),
           "directory CA");
  auto key = must(pki::generate_p256_key(), "directory key");
  auto cert =
      must(pki::issue_server_certificate(ca.get(), ca_key.get(), key.get(), "directory.test",
                                         {"directory.test"}, {"127.0.0.1"}, std::chrono::hours(24)),
           "directory certificate");
  auto other_key = must(pki::generate_p256_key(), "other CA key");
  auto other =
      must(pki::make_ca_certificate(other_key.get(), "unrelated test CA", std::chrono::hours(24)),
           "other CA");
  write(ca_file(), must(pki::certificate_to_pem(ca.get()), "CA PEM"));
  write(other_ca_file(), must(pki::certificate_to_pem(other.get()), "other CA PEM"));
  write(d / "server.pem", must(pki::certificate_to_pem(cert.get()), "certificate PEM"));
  write(d / "server.key", must(pki::private_key_to_pem(key.get()), "key PEM"));
  std::filesystem::create_directories(d / "db");

  const std::string dir = d.string();
  write(d / "slapd.conf",
        "include /etc/ldap/schema/core.schema\n"
        "include /etc/ldap/schema/cosine.schema\n"
        "include /etc/ldap/schema/inetorgperson.schema\n"
        "modulepath /usr/lib/ldap\n"
        "moduleload back_mdb\n"
        "moduleload memberof\n"
        "pidfile " +
            dir +
            "/slapd.pid\n"
            "argsfile " +
            dir +
            "/slapd.args\n"
            "TLSCACertificateFile " +
            dir +
            "/ca.pem\n"
            "TLSCertificateFile " +
            dir +
            "/server.pem\n"
            "TLSCertificateKeyFile " +
            dir +
            "/server.key\n"
            "database mdb\n"
            "maxsize 16777216\n"
            "suffix \"" +
            std::string(kSuffix) +
            "\"\n"
            "rootdn \"" +
            std::string(kAdminDn) +
            "\"\n"
            "rootpw " +
            std::string(kAdminPassword) +
            "\n"
            "directory " +
            dir +
            "/db\n"
            "overlay memberof\n"
            // Nothing for anonymous but binding: searching needs the service
            // account, as in a company directory.
            "access to attrs=userPassword by anonymous auth by * none\n"
            "access to * by users read by * none\n");

  ldap_port_ = free_loopback_port();
  do {
    ldaps_port_ = free_loopback_port();
  } while (ldaps_port_ == ldap_port_);
  slapd_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/sbin/slapd", "-f", (d / "slapd.conf").string(), "-h",
                               ldap_url() + "/ " + ldaps_url() + "/", "-d", "256"},
      d, "slapd");
  bool up = eventually([&] {
    if (!slapd_->running()) return true;
    AdminConnection admin(ldap_url());
    return admin.bound();
  });
  if (!up || !slapd_->running()) {
    throw std::runtime_error("slapd did not start: " + slapd_->stderr_text());
  }
  add("dn: " + std::string(kSuffix) +
      "\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n" + ldif);
}

SlapdServer::~SlapdServer() {
  if (slapd_) slapd_->stop();
}

std::string SlapdServer::ldap_url() const {
  return "ldap://127.0.0.1:" + std::to_string(ldap_port_);
}

std::string SlapdServer::ldaps_url() const {
  return "ldaps://127.0.0.1:" + std::to_string(ldaps_port_);
}

pid_t SlapdServer::pid() const { return slapd_ ? slapd_->pid() : -1; }

void SlapdServer::add(const std::string& ldif) {
  AdminConnection admin(ldap_url());
  if (!admin.bound()) throw std::runtime_error("cannot bind to slapd as its admin");
  for (const auto& record : parse_ldif(ldif)) admin.add(record);
}

void SlapdServer::replace(const std::string& dn, const std::string& attribute,
                          const std::string& value) {
  AdminConnection admin(ldap_url());
  if (!admin.bound()) throw std::runtime_error("cannot bind to slapd as its admin");
  admin.modify(dn, LDAP_MOD_REPLACE, attribute, value);
}

void SlapdServer::change_value(const std::string& dn, const std::string& attribute,
                               const std::string& value, bool add) {
  AdminConnection admin(ldap_url());
  if (!admin.bound()) throw std::runtime_error("cannot bind to slapd as its admin");
  admin.modify(dn, add ? LDAP_MOD_ADD : LDAP_MOD_DELETE, attribute, value);
}

}  // namespace triage::testing
