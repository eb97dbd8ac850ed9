#pragma once
// Per-program knowledge for redaction: which options of which command-line tools carry a
// password ("sshpass -p", "redis-cli -a", "smbclient -U user%pw", "mysql -pPW"...) and which
// positional arguments are passwords ("net use Z: \\srv\share PW", "htpasswd -b f user PW").
// Generic option names (--password, --token...) are recognised by is_secret_name() instead.

#include <string_view>
#include <vector>

namespace triage::agent {

/// Which part of an option's value is the secret.
enum class SecretPart {
  kWhole,         // "sshpass -p PW"
  kAfterColon,    // "curl -u user:PW" (a value ending in ':' is a token used as user name)
  kAfterPercent,  // "smbclient -U user%PW"
  kAfterComma,    // "lftp -u user,PW"
  kPassPrefix,    // "openssl -passin pass:PW" ("env:VAR", "file:PATH" are not secrets)
};

/// One password-carrying option of a program.
struct SecretOption {
  /// "-p", "--user", or a Windows-style "/p:" (value attached after the colon).
  std::string_view name;
  SecretPart part = SecretPart::kWhole;
  /// The value may be the next argument ("-p PW", "--user u:PW").
  bool next = true;
  /// The value may be glued to a short option ("-pPW") or follow "=" for a long one.
  bool attached = true;
};

/// Positional arguments that are passwords.
enum class SecretPositional {
  kNone,
  kAfterUncPath,  // the argument right after "//srv/share" or "\\srv\share" (smbclient, net use)
  kNetUser,       // "net user NAME PW"
  kHtpasswd,      // "htpasswd -b[n] [file] user PW": the last one in batch mode
  kSecond,        // "wpa_passphrase SSID PW"
  kOracleLogon,   // "sqlplus user/PW@db"
};

/// What redaction knows about one family of programs.
struct ProgramSecrets {
  std::vector<std::string_view> programs;
  std::vector<SecretOption> options;
  SecretPositional positional = SecretPositional::kNone;
  /// The first positional argument is another program with its own options ("sshpass -p PW
  /// ssh -p 22 host").
  bool runs_command = false;
};

/// Rules for `word` when it names a known program: a base name ("/usr/bin/mysql" -> "mysql",
/// "net.exe" -> "net"), possibly after an assignment ("ProxyCommand=sshpass"). Also the
/// sub-commands that change the meaning of options ("docker login"). nullptr otherwise.
const ProgramSecrets* program_secrets(std::string_view word);

}  // namespace triage::agent
