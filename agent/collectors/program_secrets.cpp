#include "agent/collectors/program_secrets.hpp"

#include <algorithm>

namespace triage::agent {
namespace {

using P = SecretPart;

SecretOption whole(std::string_view name) { return {name, P::kWhole, true, true}; }
SecretOption glued_only(std::string_view name) { return {name, P::kWhole, false, true}; }
SecretOption part(std::string_view name, SecretPart p) { return {name, p, true, true}; }

const std::vector<ProgramSecrets>& table() {
  static const std::vector<ProgramSecrets> kTable = {
      {{"curl"},
       {part("-u", P::kAfterColon), part("--user", P::kAfterColon), part("-U", P::kAfterColon),
        part("--proxy-user", P::kAfterColon), part("-E", P::kAfterColon),
        part("--cert", P::kAfterColon), part("--proxy-cert", P::kAfterColon)}},
      {{"http", "https", "httpie"}, {part("-a", P::kAfterColon)}},
      {{"lftp"}, {part("-u", P::kAfterComma)}},
      {{"sshpass"}, {whole("-p")}, SecretPositional::kNone, true},
      {{"redis-cli", "valkey-cli", "keydb-cli"}, {whole("-a")}},
      {{"smbclient", "smbget", "smbcacls", "smbtree", "rpcclient", "smbmap", "smbcquotas"},
       {part("-U", P::kAfterPercent), part("--user", P::kAfterPercent)},
       SecretPositional::kAfterUncPath},
      // Windows' net (use/user) and Samba's net (-U user%pw) share a name.
      {{"net"},
       {part("-U", P::kAfterPercent), part("--user", P::kAfterPercent)},
       SecretPositional::kNetUser},
      // MySQL clients: "-p" alone prompts, "-pPW" carries the password, "-P" is the port.
      {{"mysql", "mysqldump", "mysqladmin", "mysqlcheck", "mysqlimport", "mysqlshow", "mysqlpump",
        "mysqlbinlog", "mariadb", "mariadb-dump", "mariadb-admin", "mariadb-check",
        "mariadb-import", "mariadb-show"},
       {glued_only("-p")}},
      {{"mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat",
        "mongotop", "rabbitmqadmin"},
       {whole("-p")}},
      {{"ldapsearch", "ldapmodify", "ldapadd", "ldapdelete", "ldapwhoami", "ldapcompare",
        "ldapmodrdn", "ldapexop", "ldapvc"},
       {whole("-w")}},
      {{"ldappasswd"}, {whole("-w"), whole("-s"), whole("-a")}},
      {{"sqlcmd", "bcp", "osql", "isql", "ipmitool", "mosquitto_pub", "mosquitto_sub",
        "mosquitto_rr", "zip", "unzip", "zipcloak", "funzip"},
       {whole("-P")}},
      {{"ssh-keygen"}, {whole("-P"), whole("-N")}},
      // 7-Zip and RAR: "-p" alone prompts.
      {{"7z", "7za", "7zr", "7zz", "rar", "unrar"}, {glued_only("-p")}},
      {{"openssl"},
       {part("-pass", P::kPassPrefix),
        part("-passin", P::kPassPrefix),
        part("-passout", P::kPassPrefix),
        part("-password", P::kPassPrefix),
        {"-k", P::kWhole, true, false}}},
      {{"xfreerdp", "xfreerdp3", "wlfreerdp", "sdl-freerdp", "wfreerdp"},
       {{"/p:", P::kWhole, false, true},
        {"/password:", P::kWhole, false, true},
        {"/gp:", P::kWhole, false, true},
        {"/pth:", P::kWhole, false, true}}},
      {{"rdesktop"}, {whole("-p")}},
      {{"useradd", "usermod", "adduser"}, {whole("-p")}},
      // "docker login -p PW"; "docker run -p 8080:80" is a port, so only after "login".
      {{"login"}, {whole("-p")}},
      {{"snmpwalk", "snmpget", "snmpgetnext", "snmpset", "snmpbulkwalk", "snmpbulkget", "snmptable",
        "snmptrap", "snmpinform", "snmpdelta", "snmpdf", "snmpstatus", "snmpnetstat", "snmptest",
        "snmpusm"},
       {whole("-c"), whole("-A"), whole("-X")}},
      {{"htpasswd"}, {}, SecretPositional::kHtpasswd},
      {{"wpa_passphrase"}, {}, SecretPositional::kSecond},
      {{"sqlplus", "rman", "exp", "imp", "expdp", "impdp", "sqlldr", "dgmgrl"},
       {},
       SecretPositional::kOracleLogon},
  };
  return kTable;
}

}  // namespace

const ProgramSecrets* program_secrets(std::string_view word) {
  if (word.empty() || word.front() == '-') return nullptr;
  auto eq = word.rfind('=');
  if (eq != std::string_view::npos) word.remove_prefix(eq + 1);
  auto slash = word.find_last_of("/\\");
  if (slash != std::string_view::npos) word.remove_prefix(slash + 1);
  if (word.size() > 4 && word.ends_with(".exe")) word.remove_suffix(4);
  for (const auto& rules : table()) {
    if (std::find(rules.programs.begin(), rules.programs.end(), word) != rules.programs.end())
      return &rules;
  }
  return nullptr;
}

}  // namespace triage::agent
