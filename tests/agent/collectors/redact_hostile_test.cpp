// Redaction against the command lines people really type with a password in them: for each
// line, no secret survives redact_cmdline (what the process collector sends), and ordinary
// command lines stay readable.
#include <catch2/catch.hpp>

#include "agent/collectors/redact.hpp"

using namespace triage::agent;

namespace {

struct Hostile {
  std::vector<std::string> argv;
  /// Substrings that must not appear anywhere in the redacted line.
  std::vector<std::string> secrets;
  /// Substrings that must still appear (what makes the line useful to a helpdesk).
  std::vector<std::string> kept;
};

std::string nul_joined(const std::vector<std::string>& argv) {
  std::string raw;
  for (const auto& a : argv) {
    raw += a;
    raw += '\0';
  }
  return raw;
}

}  // namespace

TEST_CASE("Redaction misses common password flags: no secret survives a hostile command line",
          "[redact]") {
  auto row = GENERATE(values<Hostile>({
      // curl and friends: user:password, proxy credentials, headers.
      {{"curl", "-u", "alice:Cu1Secret", "https://x.example"}, {"Cu1Secret"}, {"curl", "alice"}},
      {{"curl", "-ualice:Cu2Secret", "https://x.example"}, {"Cu2Secret"}, {"curl"}},
      {{"curl", "--user", "alice:Cu3Secret", "https://x"}, {"Cu3Secret"}, {"alice"}},
      {{"curl", "--user=alice:Cu4Secret", "https://x"}, {"Cu4Secret"}, {"alice"}},
      {{"curl", "-U", "proxyuser:Cu5Secret", "https://x"}, {"Cu5Secret"}, {"proxyuser"}},
      {{"curl", "--proxy-user", "bob:Cu6Secret", "https://x"}, {"Cu6Secret"}, {"bob"}},
      {{"curl", "-H", "Authorization: Bearer Hd1TokenValue", "https://x"}, {"Hd1TokenValue"}, {}},
      {{"curl", "-H", "authorization: Basic SGQyQmFzaWNWYWx1ZQ==", "https://x"},
       {"SGQyQmFzaWNWYWx1ZQ=="},
       {}},
      {{"curl", "--header=Proxy-Authorization: Basic SGQzUHJveHk=", "https://x"},
       {"SGQzUHJveHk="},
       {}},
      {{"curl", "-H", "X-Api-Key: Hd4ApiKeyValue", "https://x"}, {"Hd4ApiKeyValue"}, {}},
      {{"curl", "-H", "PRIVATE-TOKEN: Hd5GitlabValue", "https://x"}, {"Hd5GitlabValue"}, {}},
      {{"curl", "-H", "Cookie: session=Hd6CookieValue", "https://x"}, {"Hd6CookieValue"}, {}},
      {{"curl", "-u", "sk_live_Cu7StripeKeyValue0123:", "https://api"},
       {"Cu7StripeKeyValue0123"},
       {}},
      {{"http", "https://api.example", "Authorization:Bearer Hd7Opaque"}, {"Hd7Opaque"}, {}},
      // Password flags of database, cache and directory clients.
      {{"sshpass", "-p", "Sp1Secret", "ssh", "-p", "22", "bob@host"},
       {"Sp1Secret"},
       {"ssh -p 22 bob@host"}},
      {{"sshpass", "-pSp2Secret", "ssh", "host"}, {"Sp2Secret"}, {"ssh host"}},
      {{"redis-cli", "-h", "cache", "-a", "Rc1Secret", "ping"}, {"Rc1Secret"}, {"-h cache"}},
      {{"redis-cli", "--pass", "Rc2Secret"}, {"Rc2Secret"}, {}},
      {{"redis-cli", "-u", "redis://:Rc3Secret@cache:6379/0"}, {"Rc3Secret"}, {"cache:6379"}},
      {{"smbclient", "-U", "alice%Sm1Secret", "//srv/share"}, {"Sm1Secret"}, {"alice", "//srv"}},
      {{"smbclient", "-Ualice%Sm2Secret", "//srv/share"}, {"Sm2Secret"}, {}},
      {{"smbclient", "--user=DOM\\alice%Sm3Secret", "//srv/share"}, {"Sm3Secret"}, {}},
      {{"smbclient", "//srv/share", "Sm4Secret", "-U", "alice"}, {"Sm4Secret"}, {"//srv/share"}},
      {{"mysql", "-uroot", "-pMy1Secret", "-h", "db"}, {"My1Secret"}, {"-uroot"}},
      {{"mysqldump", "--password=My2Secret", "shop"}, {"My2Secret"}, {"shop"}},
      {{"/usr/bin/mariadb", "-h", "db", "-P", "3306", "-pMy3Secret"}, {"My3Secret"}, {"3306"}},
      {{"mongosh", "-u", "admin", "-p", "Mg1Secret"}, {"Mg1Secret"}, {"admin"}},
      {{"ldapsearch", "-x", "-D", "cn=admin,dc=ex", "-w", "Ld1Secret", "-b", "dc=ex"},
       {"Ld1Secret"},
       {"cn=admin"}},
      {{"ldapmodify", "-wLd2Secret", "-f", "x.ldif"}, {"Ld2Secret"}, {"x.ldif"}},
      {{"sqlcmd", "-S", "db", "-U", "sa", "-P", "Sq1Secret"}, {"Sq1Secret"}, {"sa"}},
      {{"ipmitool", "-I", "lanplus", "-H", "bmc", "-U", "root", "-P", "Ip1Secret", "power",
        "status"},
       {"Ip1Secret"},
       {"power status"}},
      {{"sqlplus", "scott/Or1Secret@orcl"}, {"Or1Secret"}, {"scott", "orcl"}},
      {{"psql", "postgresql://app:Pg1Secret@db:5432/prod"}, {"Pg1Secret"}, {"db:5432/prod"}},
      {{"pg_dump", "host=db user=app password=Pg2Secret dbname=prod"}, {"Pg2Secret"}, {"prod"}},
      {{"snmpwalk", "-v2c", "-c", "Sn1Community", "switch1"}, {"Sn1Community"}, {"switch1"}},
      // Key files, archives and TLS tools.
      {{"openssl", "pkcs12", "-in", "a.p12", "-passin", "pass:Os1Secret"}, {"Os1Secret"}, {}},
      {{"openssl", "enc", "-aes256", "-pass", "pass:Os2Secret", "-in", "f"}, {"Os2Secret"}, {}},
      {{"openssl", "enc", "-d", "-k", "Os3Secret", "-in", "f"}, {"Os3Secret"}, {}},
      {{"openssl", "req", "-passout", "pass:Os4Secret", "-new"}, {"Os4Secret"}, {}},
      {{"keytool", "-list", "-storepass", "Kt1Secret", "-keypass", "Kt2Secret"},
       {"Kt1Secret", "Kt2Secret"},
       {}},
      {{"zip", "-P", "Zp1Secret", "out.zip", "a"}, {"Zp1Secret"}, {"out.zip"}},
      {{"7z", "x", "-pZp2Secret", "a.7z"}, {"Zp2Secret"}, {"a.7z"}},
      {{"unzip", "-P", "Zp3Secret", "a.zip"}, {"Zp3Secret"}, {}},
      // Download tools, mounts, Windows-style and remote-desktop clients.
      {{"wget", "--http-user=alice", "--http-password=Wg1Secret", "https://x"}, {"Wg1Secret"}, {}},
      {{"wget", "--ftp-password", "Wg2Secret", "ftp://x"}, {"Wg2Secret"}, {}},
      {{"wget", "ftp://alice:Wg3Secret@files.example/pub"}, {"Wg3Secret"}, {"files.example"}},
      {{"mount", "-t", "cifs", "//srv/s", "/mnt", "-o",
        "username=alice,password=Mt1Secret,vers=3.0"},
       {"Mt1Secret"},
       {"vers=3.0"}},
      {{"mount.cifs", "//srv/s", "/mnt", "-o", "user=alice,pass=Mt2Secret"}, {"Mt2Secret"}, {}},
      {{"net", "use", "Z:", "\\\\srv\\share", "Nu1Secret", "/user:DOM\\alice"},
       {"Nu1Secret"},
       {"Z:", "/user:DOM\\alice"}},
      {{"net", "user", "alice", "Nu2Secret", "/add"}, {"Nu2Secret"}, {"alice"}},
      {{"xfreerdp", "/v:host", "/u:alice", "/p:Rd1Secret"}, {"Rd1Secret"}, {"/u:alice"}},
      {{"rdesktop", "-u", "alice", "-p", "Rd2Secret", "host"}, {"Rd2Secret"}, {"host"}},
      {{"htpasswd", "-b", "/etc/htpasswd", "alice", "Ht1Secret"}, {"Ht1Secret"}, {"alice"}},
      {{"nmcli", "dev", "wifi", "connect", "Office", "password", "Wf1Secret"},
       {"Wf1Secret"},
       {"Office"}},
      {{"nmcli", "con", "modify", "w", "wifi-sec.psk", "Wf2Secret"}, {"Wf2Secret"}, {}},
      {{"wpa_passphrase", "Office", "Wf3Secret"}, {"Wf3Secret"}, {"Office"}},
      {{"useradd", "-m", "-p", "$6$salt$Ua1HashValue", "alice"}, {"Ua1HashValue"}, {"alice"}},
      // Registries, clouds, generic token flags.
      {{"docker", "login", "-u", "alice", "-p", "Dk1Secret", "registry.example"},
       {"Dk1Secret"},
       {"registry.example"}},
      {{"skopeo", "copy", "--src-creds", "alice:Dk2Secret", "docker://a", "docker://b"},
       {"Dk2Secret"},
       {}},
      {{"kubectl", "--token", "Kc1TokenValue", "get", "pods"}, {"Kc1TokenValue"}, {"get pods"}},
      {{"app", "--api-key", "Ak1KeyValue"}, {"Ak1KeyValue"}, {}},
      {{"app", "--access-token=Ak2TokenValue"}, {"Ak2TokenValue"}, {}},
      {{"aws", "configure", "set", "aws_secret_access_key", "Aw1SecretValue"},
       {"Aw1SecretValue"},
       {"configure set"}},
      {{"tool", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
       {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
       {}},
      {{"app", "--jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.Jw1Signature"}, {"Jw1Signature"}, {}},
      {{"app", "Bearer", "Br1OpaqueTokenValue"}, {"Br1OpaqueTokenValue"}, {}},
      {{"vault", "login", "hvs.CAESIVt1TokenValue0123456789abcdef"}, {"Vt1TokenValue"}, {}},
      {{"git", "clone", "https://oauth2:glpat-Gl1TokenValue01234567@gitlab.example/g/r.git"},
       {"Gl1TokenValue"},
       {"gitlab.example/g/r.git"}},
      {{"java", "-Djavax.net.ssl.keyStorePassword=Jv1Secret", "-jar", "app.jar"},
       {"Jv1Secret"},
       {"app.jar"}},
      {{"app", "https://x.example/cb?code=1&access_token=Qs1Token&sig=Qs2Signature"},
       {"Qs1Token", "Qs2Signature"},
       {"x.example"}},
      // Secrets in environment assignments (env, sudo, shell scripts).
      {{"env", "PGPASSWORD=Ev1Secret", "psql", "-h", "db"}, {"Ev1Secret"}, {"psql -h db"}},
      {{"env", "GITHUB_TOKEN=Ev2TokenValue", "VAULT_TOKEN=Ev3TokenValue", "make"},
       {"Ev2TokenValue", "Ev3TokenValue"},
       {"make"}},
      {{"env", "MYSQL_PWD=Ev4Secret", "SSHPASS=Ev5Secret", "DATABASE_URL=mysql://u:Ev6Secret@db/x"},
       {"Ev4Secret", "Ev5Secret", "Ev6Secret"},
       {}},
      {{"sudo", "-u", "app", "mysql", "-pEv7Secret"}, {"Ev7Secret"}, {"sudo -u app"}},
      {{"docker", "run", "-e", "DB_PASSWORD=Ev8Secret", "-p", "8080:80", "app"},
       {"Ev8Secret"},
       {"8080:80"}},
      // Shell scripts carry whole command lines in one argument.
      {{"sh", "-c", "curl -u admin:Sc1Secret http://x && echo done"}, {"Sc1Secret"}, {"done"}},
      {{"bash", "-c", "PGPASSWORD=Sc2Secret psql -h db -c 'select 1'"}, {"Sc2Secret"}, {"psql"}},
      {{"sh", "-c", "curl -H 'Authorization: Bearer Sc3TokenValue' https://x"},
       {"Sc3TokenValue"},
       {"https://x"}},
      {{"sh", "-c", "mysql -uroot -pSc4Secret < dump.sql"}, {"Sc4Secret"}, {"dump.sql"}},
      {{"ssh", "-o", "ProxyCommand=sshpass -p Sc5Secret ssh -W %h:%p jump", "host"},
       {"Sc5Secret"},
       {"host"}},
      // A process that rewrote its title into one space-separated argv[0].
      {{"worker: redis-cli -a Pt1Secret monitor"}, {"Pt1Secret"}, {"monitor"}},
  }));
  auto line = redact_cmdline(nul_joined(row.argv), 4096);
  CAPTURE(row.argv, line);
  for (const auto& secret : row.secrets) CHECK(line.find(secret) == std::string::npos);
  for (const auto& kept : row.kept) CHECK(line.find(kept) != std::string::npos);
  CHECK(line.find(kRedacted) != std::string::npos);
}

TEST_CASE("Redaction leaves harmless command lines readable", "[redact]") {
  auto argv = GENERATE(values<std::vector<std::string>>({
      {"ssh", "-p", "2222", "bob@host"},
      {"mysql", "-u", "root", "-p", "shop"},
      {"mysql", "-h", "db", "-P", "3306"},
      {"curl", "-u", "alice", "https://x.example/path"},
      {"curl", "-s", "-H", "Accept: application/json", "https://x.example"},
      {"redis-cli", "-h", "cache", "-p", "6379", "info"},
      {"docker", "run", "-p", "8080:80", "nginx"},
      {"ldapsearch", "-x", "-b", "dc=example,dc=com", "(uid=alice)"},
      {"openssl", "enc", "-d", "-pass", "env:ARCHIVE_KEY", "-in", "f"},
      {"openssl", "s_client", "-connect", "x:443"},
      {"smbclient", "-L", "//srv", "-N"},
      {"7z", "x", "a.7z", "-o/tmp/out"},
      {"sh", "-c", "ls -l /var/log | head -n 5"},
      {"/usr/sbin/sshd", "-D"},
      {"sshd:", "bob", "[priv]"},
      {"python3", "-m", "http.server", "8080"},
      {"git", "checkout", "3f1c2b7a9d8e4c6b8a7f6e5d4c3b2a1900112233"},
      {"kubectl", "get", "secret", "db-creds"},
      {"docker", "login", "--password-stdin", "registry.example"},
      {"app", "--token-file", "/run/secrets/token"},
      {"app", "--passive", "--author=jane", "--keyboard=us"},
      {"git", "clone", "git@github.com:org/repo.git"},
      {"systemctl", "restart", "auth"},
      {"nmcli", "dev", "wifi", "list"},
  }));
  std::string plain;
  for (const auto& a : argv) plain += (plain.empty() ? "" : " ") + a;
  CHECK(redact_cmdline(nul_joined(argv), 4096) == plain);
}
