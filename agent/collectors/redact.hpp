#pragma once
// Secret redaction for text that leaves the machine: command lines, environment values and
// URLs. Conservative: anything that looks like a credential is replaced by kRedacted, so a
// helpdesk sees that a password was passed without seeing the password.

#include <string>
#include <string_view>
#include <vector>

namespace triage::agent {

inline constexpr std::string_view kRedacted = "[REDACTED]";

/// True for option/variable names that carry secrets: password, passwd, secret, token,
/// api_key, auth, credential, private_key, access_key, session... (case-insensitive; "-" and
/// "_" equivalent).
bool is_secret_name(std::string_view name);

/// Redacts one argument list in place: secret options of any program ("--password=x",
/// "--token x", "--api-key x"), the password options and positions of common tools
/// (program_secrets.hpp: "curl -u u:PW", "sshpass -p PW", "redis-cli -a PW", "smbclient -U
/// u%PW", "mysql -pPW", "openssl -passin pass:PW", "ldapsearch -w PW", "net use ... PW"...),
/// "Authorization: ..." headers, words that announce a secret ("password PW", "Bearer TOK"),
/// "key=value" pairs with secret keys ("PGPASSWORD=x", "mount -o password=x"), URL userinfo
/// passwords, AWS keys and well-known token formats (GitHub, GitLab, Slack, Stripe, Vault, JWT).
/// An argument holding a shell script ("sh -c '...'") is redacted word by word.
void redact_argv(std::vector<std::string>& argv);

/// Redacts secrets inside one free-text value (URL credentials, key=value pairs, bearer tokens,
/// known token formats).
std::string redact_text(std::string_view text);

/// Redacts an environment variable's value: whole value when the name is secret-like, else
/// redact_text(value).
std::string redact_env_value(std::string_view name, std::string_view value);

/// Redacts a log in place, line by line: redact_text() on every line, and the command a line
/// records as an argument list (sudo's "COMMAND=/usr/bin/mysql -pPW" -> "-p[REDACTED]").
/// Returns how many lines changed.
std::size_t redact_log(std::string& text);

/// A NUL-separated /proc/<pid>/cmdline turned into a redacted, space-joined line of at most
/// `max_len` bytes.
std::string redact_cmdline(std::string_view nul_separated, std::size_t max_len = 512);

}  // namespace triage::agent
