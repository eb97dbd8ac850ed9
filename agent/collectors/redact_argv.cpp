// Argument-list redaction: generic secret options (--password, --token), program-specific
// password options and positions (program_secrets.hpp), headers, secret words followed by their
// value, and shell scripts ("sh -c '...'", "ProxyCommand=...") redacted word by word.
#include <cctype>

#include "agent/collectors/program_secrets.hpp"
#include "agent/collectors/redact.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

// Scripts inside scripts ("sh -c \"bash -c '...'\"") are followed this deep.
constexpr int kMaxScriptDepth = 4;

/// The program whose options are being read, and what was seen of its positionals.
struct ProgramContext {
  const ProgramSecrets* rules = nullptr;
  std::vector<std::string> positionals;
  std::string short_flags;  // htpasswd: "-b" (batch), "-n" (no file)
  bool after_unc = false;   // the previous positional was "//srv/share" or "\\srv\share"
};

std::string redact_part(std::string_view value, SecretPart part) {
  auto after = [&](char sep) -> std::string {
    auto at = value.find(sep);
    if (at == std::string_view::npos) return std::string(value);  // no password given: prompts
    // "curl -u TOKEN:" uses the token as the user name.
    if (at + 1 == value.size()) return std::string(kRedacted) + sep;
    return std::string(value.substr(0, at + 1)) + std::string(kRedacted);
  };
  switch (part) {
    case SecretPart::kWhole:
      return value.empty() ? std::string() : std::string(kRedacted);
    case SecretPart::kAfterColon:
      return after(':');
    case SecretPart::kAfterPercent:
      return after('%');
    case SecretPart::kAfterComma:
      return after(',');
    case SecretPart::kPassPrefix:
      return value.starts_with("pass:") ? "pass:" + std::string(kRedacted) : std::string(value);
  }
  return std::string(kRedacted);
}

bool has_space(std::string_view s) { return s.find_first_of(" \t\r\n") != std::string_view::npos; }

bool is_unc_path(std::string_view s) { return s.starts_with("//") || s.starts_with("\\\\"); }

bool is_shell_operator(std::string_view s) {
  return s == "|" || s == "||" || s == "&&" || s == ";" || s == "&" || s == "|&";
}

/// A bare word announcing that the next argument is a secret: "password" (nmcli),
/// "wifi-sec.psk", "aws_secret_access_key" (aws configure set), "Bearer".
bool announces_secret(std::string_view word) {
  if (word.empty() || word.find_first_of("=:/\\@ ") != std::string_view::npos) return false;
  auto lower = to_lower(word);
  if (lower == "password" || lower == "passwd" || lower == "passphrase" || lower == "bearer")
    return true;
  if (word.find_first_of("_-.") == std::string_view::npos) return false;
  std::string squashed;
  for (char c : lower) {
    if (c != '_' && c != '-' && c != '.') squashed += c;
  }
  if (squashed.ends_with("psk")) return true;
  for (std::string_view strong : {"password", "passwd", "passphrase", "secret", "token", "apikey",
                                  "privatekey", "accesskey"}) {
    if (squashed.find(strong) != std::string::npos) return is_secret_name(word);
  }
  return false;
}

/// What to do with the next argument: redact `part` of it when `active`.
struct Pending {
  bool active = false;
  SecretPart part = SecretPart::kWhole;
  void set(SecretPart p = SecretPart::kWhole) {
    active = true;
    part = p;
  }
};

/// Applies `ctx`'s password options to `argv[i]`; true when the argument was one of them.
bool program_option(const ProgramContext& ctx, std::vector<std::string>& argv, std::size_t i,
                    Pending& pending) {
  std::string& arg = argv[i];
  for (const auto& opt : ctx.rules->options) {
    if (opt.name.ends_with(':')) {  // "/p:PW"
      if (starts_with_nocase(arg, opt.name)) {
        arg = std::string(arg.substr(0, opt.name.size())) +
              redact_part(std::string_view(arg).substr(opt.name.size()), opt.part);
        return true;
      }
      continue;
    }
    if (arg == opt.name) {
      if (opt.next && i + 1 < argv.size() && !argv[i + 1].starts_with("-")) pending.set(opt.part);
      return true;
    }
    if (!opt.attached) continue;
    bool is_short = opt.name.size() == 2;
    std::string prefix = is_short ? std::string(opt.name) : std::string(opt.name) + "=";
    if (arg.size() > prefix.size() && arg.starts_with(prefix)) {
      arg = prefix + redact_part(std::string_view(arg).substr(prefix.size()), opt.part);
      return true;
    }
  }
  return false;
}

/// Redacts `arg` when it sits where `ctx`'s program takes a password; true when it did.
bool program_positional(ProgramContext& ctx, std::string& arg) {
  const std::size_t index = ctx.positionals.size();
  const bool was_after_unc = ctx.after_unc;
  ctx.after_unc = is_unc_path(arg);
  ctx.positionals.push_back(arg);
  const bool prompt = arg == "*";
  switch (ctx.rules->positional) {
    case SecretPositional::kNone:
      return false;
    case SecretPositional::kAfterUncPath:
      if (!was_after_unc || prompt) return false;
      break;
    case SecretPositional::kNetUser: {
      auto verb = to_lower(ctx.positionals.front());
      if (verb == "use" && was_after_unc && !prompt) break;
      if (verb == "user" && index == 2 && !prompt) break;
      return false;
    }
    case SecretPositional::kHtpasswd: {
      bool batch = ctx.short_flags.find('b') != std::string::npos;
      bool no_file = ctx.short_flags.find('n') != std::string::npos;
      if (!batch || index != (no_file ? 1u : 2u)) return false;
      break;
    }
    case SecretPositional::kSecond:
      if (index != 1) return false;
      break;
    case SecretPositional::kOracleLogon: {
      auto slash = arg.find('/');
      if (index != 0 || slash == std::string::npos || slash == 0) return false;
      auto at = arg.find('@', slash);
      if (at == slash + 1) return false;
      arg = arg.substr(0, slash + 1) + std::string(kRedacted) +
            (at == std::string::npos ? std::string() : arg.substr(at));
      return true;
    }
  }
  arg = kRedacted;
  return true;
}

void redact_words(std::vector<std::string>& argv, int depth);

/// One word of a shell script: where it is in the script and its text without quotes.
struct ScriptWord {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

std::vector<ScriptWord> script_words(std::string_view s) {
  std::vector<ScriptWord> words;
  std::size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    if (i >= s.size()) break;
    ScriptWord w;
    w.begin = i;
    char quote = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (quote == 0 && space(c)) break;
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else if (c == '\\' && quote != '\'' && i + 1 < s.size()) {
        w.text += s[++i];
      } else {
        w.text += c;
      }
    }
    w.end = i;
    words.push_back(std::move(w));
  }
  return words;
}

std::string shell_quote(std::string_view word) {
  if (word.find_first_of(" \t\r\n'\"\\$`") == std::string_view::npos && !word.empty())
    return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

/// A script in one argument: its words are redacted as an argument list, and only the words
/// that changed are rewritten, so an untouched script reads exactly as it was.
std::string redact_script(std::string_view script, int depth) {
  std::string text = redact_text(script);
  auto words = script_words(text);
  std::vector<std::string> argv;
  for (const auto& w : words) argv.push_back(w.text);
  redact_words(argv, depth);
  std::string out;
  std::size_t at = 0;
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (argv[k] == words[k].text) continue;
    out.append(text, at, words[k].begin - at);
    out += shell_quote(argv[k]);
    at = words[k].end;
  }
  out.append(text, at, std::string::npos);
  return out;
}

void redact_words(std::vector<std::string>& argv, int depth) {
  ProgramContext ctx;
  Pending pending;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string& arg = argv[i];
    if (pending.active) {
      arg = redact_part(arg, pending.part);
      pending = Pending{};
      continue;
    }
    if (is_shell_operator(arg)) {
      ctx = ProgramContext{};
      continue;
    }
    if (ctx.rules && arg.size() > 1 && (arg[0] == '-' || arg[0] == '/')) {
      if (arg[0] == '-' && arg[1] != '-') ctx.short_flags += arg.substr(1);
      if (program_option(ctx, argv, i, pending)) continue;
    }
    if (arg.starts_with("-")) {
      auto eq = arg.find('=');
      std::string_view name = std::string_view(arg).substr(0, eq);
      if (is_secret_name(name)) {
        if (eq != std::string::npos) {
          arg = std::string(name) + "=" + std::string(kRedacted);
        } else if (i + 1 < argv.size() && !argv[i + 1].starts_with("-")) {
          pending.set();
        }
        continue;
      }
    }
    // curl -H 'Authorization: Bearer x', httpie 'Authorization:Basic x'.
    if (starts_with_nocase(arg, "authorization") ||
        starts_with_nocase(arg, "proxy-authorization")) {
      auto colon = arg.find(':');
      arg = (colon == std::string::npos ? arg : arg.substr(0, colon + 1) + " ") +
            std::string(kRedacted);
      continue;
    }
    if (has_space(arg)) {
      arg = depth < kMaxScriptDepth ? redact_script(arg, depth + 1) : redact_text(arg);
      continue;
    }
    // A file named like its program ("htpasswd -b /etc/htpasswd ...") is not a new command.
    const auto* rules = program_secrets(arg);
    if (rules && rules != ctx.rules) {
      ctx = ProgramContext{};
      ctx.rules = rules;
      arg = redact_text(arg);
      continue;
    }
    // A token that merely contains "token" is a value, not an announcement.
    if (announces_secret(arg) && i + 1 < argv.size() && redact_text(arg) == arg) {
      pending.set();
      continue;
    }
    if (ctx.rules && !arg.starts_with("-")) {
      if (ctx.rules->runs_command) {
        ctx = ProgramContext{};
        continue;
      }
      // Windows' net takes "/add", "/user:x" switches.
      bool net_switch = ctx.rules->positional == SecretPositional::kNetUser &&
                        arg.starts_with("/") && !is_unc_path(arg);
      if (!net_switch && program_positional(ctx, arg)) continue;
    }
    arg = redact_text(arg);
  }
}

}  // namespace

void redact_argv(std::vector<std::string>& argv) { redact_words(argv, 0); }

}  // namespace triage::agent
