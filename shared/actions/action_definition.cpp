#include "shared/actions/action_definition.hpp"

#include <algorithm>
#include <regex>

#include "shared/actions/action_platform.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/util/command_interpreters.hpp"
#include "shared/util/toml_reader.hpp"

namespace triage::actions {

namespace {

const std::regex kActionId("[a-z0-9][a-z0-9._-]{0,63}");
const std::regex kParamName("[a-z][a-z0-9_]{0,31}");
const std::regex kRuleId("[a-z0-9_]+\\.[a-z0-9_]+");

/// Reads one table of a definition file; errors are prefixed with the file's origin.
class Reader {
 public:
  Reader(const toml::table& table, std::string origin, std::string section = "")
      : reader_(table, std::move(section), TomlWording::kDefinition), origin_(std::move(origin)) {}

  tl::unexpected<Error> bad(std::string_view key, const std::string& what) const {
    return prefixed(reader_.error(key, what).value());
  }

  Result<void> known(std::initializer_list<std::string_view> keys) const {
    if (auto k = reader_.allow_only(keys); !k) return prefixed(k.error());
    return {};
  }

  Result<std::string> text(std::string_view key, bool required, std::size_t max_bytes,
                           std::string fallback = "") const {
    auto value = reader_.string(key);
    if (!value) return prefixed(value.error());
    if (!*value) {
      if (required) return bad(key, "is required");
      return fallback;
    }
    if ((*value)->size() > max_bytes) {
      return bad(key, "longer than " + std::to_string(max_bytes) + " bytes");
    }
    if (std::any_of((*value)->begin(), (*value)->end(),
                    [](unsigned char c) { return c < 0x20 && c != '\n' && c != '\t'; })) {
      return bad(key, "contains control characters");
    }
    return std::move(**value);
  }

  Result<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max,
                               std::optional<std::int64_t> fallback) const {
    auto value = reader_.integer(key, min, max);
    if (!value) return prefixed(value.error());
    if (*value) return **value;
    if (!fallback) return bad(key, "is required");
    return *fallback;
  }

  Result<std::vector<std::string>> strings(std::string_view key, bool required,
                                           std::size_t max_items) const {
    auto values = reader_.strings(key);
    if (!values) return prefixed(values.error());
    if (!*values) {
      if (required) return bad(key, "is required");
      return std::vector<std::string>{};
    }
    if ((*values)->size() > max_items) {
      return bad(key, "more than " + std::to_string(max_items) + " elements");
    }
    for (const auto& value : **values) {
      if (value.size() > 4096 || value.find('\0') != std::string::npos ||
          std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20; })) {
        return bad(key, "elements must be printable and at most 4096 bytes");
      }
    }
    return std::move(**values);
  }

  /// The table under `key`, nullptr when absent; `what` when it is another type.
  Result<const toml::table*> table(std::string_view key, const std::string& what) const {
    const auto* node = reader_.table().get(key);
    if (node == nullptr) return nullptr;
    if (const auto* table = node->as_table()) return table;
    return bad(key, what);
  }

 private:
  tl::unexpected<Error> prefixed(const Error& error) const {
    return fail("action definition " + origin_, error);
  }

  TomlReader reader_;
  std::string origin_;
};

/// The parameter named by a whole-element placeholder "{name}", or nullopt for a literal.
std::optional<std::string> placeholder(const std::string& element) {
  if (element.size() < 3 || element.front() != '{' || element.back() != '}') return std::nullopt;
  return element.substr(1, element.size() - 2);
}

Result<void> check_argv(const Reader& reader, std::string_view key,
                        const std::vector<std::string>& argv, const ActionDefinition& def,
                        std::vector<std::string>& used) {
  if (argv.empty()) return reader.bad(key, "needs at least the program");
  if (!is_absolute_program_path(def.platform, argv[0]) || argv[0].find('{') != std::string::npos) {
    return reader.bad(key,
                      "argv[0] must be an absolute path on " + def.platform + " (no placeholder)");
  }
  if (is_command_interpreter(argv[0])) {
    return reader.bad(key, "argv[0] `" + argv[0] +
                               "` is a shell, interpreter or exec wrapper; an action runs one "
                               "fixed program");
  }
  for (const auto& element : argv) {
    if (auto name = placeholder(element)) {
      if (!def.param(*name)) {
        return reader.bad(key, "placeholder {" + *name + "} names no declared parameter");
      }
      used.push_back(*name);
    } else if (element.find_first_of("{}") != std::string::npos) {
      return reader.bad(key, "placeholders must be whole argv elements, like \"{name}\"; `" +
                                 element + "` is not");
    }
  }
  return {};
}

Result<ParamSpec> read_param(const std::string& name, const toml::table& table,
                             const std::string& origin) {
  Reader r(table, origin, "params." + name);
  ParamSpec p;
  p.name = name;
  if (!std::regex_match(name, kParamName)) {
    return r.bad("", "parameter names are lower-case letters, digits and _");
  }
  auto type = r.text("type", true, 16);
  auto description = r.text("description", false, 1000);
  if (!type) return tl::unexpected(type.error());
  if (!description) return tl::unexpected(description.error());
  p.description = *description;
  if (*type == "enum") {
    if (auto k = r.known({"type", "description", "values"}); !k) return tl::unexpected(k.error());
    auto values = r.strings("values", true, 64);
    if (!values) return tl::unexpected(values.error());
    if (values->empty()) return r.bad("values", "needs at least one value");
    for (const auto& v : *values) {
      if (v.empty() || v.size() > 256 || v.front() == '-') {
        return r.bad("values", "values are 1-256 bytes and never start with '-'");
      }
    }
    p.type = ParamType::kEnum;
    p.values = std::move(*values);
  } else if (*type == "integer") {
    if (auto k = r.known({"type", "description", "min", "max"}); !k) {
      return tl::unexpected(k.error());
    }
    auto min = r.integer("min", INT64_MIN / 2, INT64_MAX / 2, std::nullopt);
    auto max = r.integer("max", INT64_MIN / 2, INT64_MAX / 2, std::nullopt);
    if (!min) return tl::unexpected(min.error());
    if (!max) return tl::unexpected(max.error());
    if (*min > *max) return r.bad("max", "must not be below min");
    p.type = ParamType::kInteger;
    p.min = *min;
    p.max = *max;
  } else if (*type == "regex") {
    if (auto k = r.known({"type", "description", "pattern", "max_length"}); !k) {
      return tl::unexpected(k.error());
    }
    auto pattern = r.text("pattern", true, 1000);
    auto max_length = r.integer("max_length", 1, 4096, std::nullopt);
    if (!pattern) return tl::unexpected(pattern.error());
    if (!max_length) return tl::unexpected(max_length.error());
    // Anchored both ends, so a value can never carry extra text around what the pattern allows.
    if (pattern->size() < 2 || pattern->front() != '^' || pattern->back() != '$' ||
        (pattern->size() >= 3 && (*pattern)[pattern->size() - 2] == '\\')) {
      return r.bad("pattern", "must be anchored: start with ^ and end with $");
    }
    auto compiled = SafeRegex::compile(*pattern);
    if (!compiled) {
      return r.bad("pattern",
                   "is not a valid regular expression (RE2 syntax, no backreferences "
                   "or lookaround): " +
                       compiled.error().message);
    }
    p.compiled = std::move(*compiled);
    p.type = ParamType::kRegex;
    p.pattern = std::move(*pattern);
    p.max_length = static_cast<std::size_t>(*max_length);
  } else {
    return r.bad("type", "expected enum, integer or regex");
  }
  return p;
}

}  // namespace

const char* action_risk_name(ActionRisk risk) {
  switch (risk) {
    case ActionRisk::kLow:
      return "low";
    case ActionRisk::kMedium:
      return "medium";
    case ActionRisk::kHigh:
      return "high";
  }
  return "high";
}

std::optional<ActionRisk> parse_action_risk(std::string_view text) {
  if (text == "low") return ActionRisk::kLow;
  if (text == "medium") return ActionRisk::kMedium;
  if (text == "high") return ActionRisk::kHigh;
  return std::nullopt;
}

const ParamSpec* ActionDefinition::param(std::string_view name) const {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool ActionDefinition::needs_approval() const {
  return approval == ApprovalRule::kSecondPerson || risk == ActionRisk::kHigh;
}

Result<ActionDefinition> parse_action_definition(std::string_view text, const std::string& origin) {
  auto root = parse_toml(text, "action definition " + origin, kMaxDefinitionBytes);
  if (!root) return tl::unexpected(root.error());
  Reader r(*root, origin);
  if (auto k = r.known({"id", "version", "title", "description", "platform", "argv", "params",
                        "timeout_s", "output_cap_bytes", "risk", "min_role", "approval", "fixes",
                        "post_check", "stdout_attachment"});
      !k) {
    return tl::unexpected(k.error());
  }
  ActionDefinition def;
  def.sha256_raw = pki::sha256_raw(text);
  def.sha256 = pki::to_hex(def.sha256_raw);
  def.source = origin;
  def.text = std::string(text);
  auto id = r.text("id", true, 64);
  auto version = r.integer("version", 1, 1'000'000, std::nullopt);
  auto title = r.text("title", true, 200);
  auto description = r.text("description", false, 4000);
  auto platform = r.text("platform", false, 16, "linux");
  auto timeout = r.integer("timeout_s", 1, kMaxActionTimeoutS, 60);
  auto cap =
      r.integer("output_cap_bytes", 1, static_cast<std::int64_t>(kMaxOutputCapBytes), 64 * 1024);
  auto risk = r.text("risk", true, 16);
  auto min_role = r.text("min_role", false, 16, "technician");
  auto approval = r.text("approval", false, 32, "none");
  auto fixes = r.strings("fixes", false, 64);
  auto argv = r.strings("argv", true, kMaxArgvElements);
  for (auto* e : {&id, &title, &description, &platform, &risk, &min_role, &approval}) {
    if (!*e) return tl::unexpected(e->error());
  }
  for (auto* e : {&version, &timeout, &cap}) {
    if (!*e) return tl::unexpected(e->error());
  }
  if (!fixes) return tl::unexpected(fixes.error());
  if (!argv) return tl::unexpected(argv.error());
  if (!std::regex_match(*id, kActionId)) {
    return r.bad("id", "lower-case letters, digits, . _ - (at most 64)");
  }
  if (!is_known_platform(*platform)) return r.bad("platform", "expected linux or windows");
  auto parsed_risk = parse_action_risk(*risk);
  if (!parsed_risk) return r.bad("risk", "expected low, medium or high");
  if (*min_role != "technician" && *min_role != "senior" && *min_role != "admin") {
    return r.bad("min_role", "expected technician, senior or admin");
  }
  if (*approval != "none" && *approval != "second_person") {
    return r.bad("approval", "expected none or second_person");
  }
  for (const auto& f : *fixes) {
    if (!std::regex_match(f, kRuleId)) return r.bad("fixes", "`" + f + "` is not a rule id");
  }
  def.id = *id;
  def.version = static_cast<std::uint32_t>(*version);
  def.title = *title;
  def.description = *description;
  def.platform = *platform;
  def.timeout_s = static_cast<std::uint32_t>(*timeout);
  def.output_cap_bytes = static_cast<std::uint64_t>(*cap);
  def.risk = *parsed_risk;
  def.min_role = *min_role;
  def.approval = *approval == "none" ? ApprovalRule::kNone : ApprovalRule::kSecondPerson;
  def.fixes = std::move(*fixes);

  auto params = r.table("params", "expected a table of parameters");
  if (!params) return tl::unexpected(params.error());
  if (*params != nullptr) {
    for (const auto& [name, spec] : **params) {
      auto* table = spec.as_table();
      if (table == nullptr)
        return r.bad("params", "`" + std::string(name.str()) + "` must be a table");
      auto param = read_param(std::string(name.str()), *table, origin);
      if (!param) return tl::unexpected(param.error());
      def.params.push_back(std::move(*param));
    }
  }
  std::vector<std::string> used;
  if (auto c = check_argv(r, "argv", *argv, def, used); !c) return tl::unexpected(c.error());
  def.argv = std::move(*argv);

  auto post_check = r.table("post_check", "expected a table");
  if (!post_check) return tl::unexpected(post_check.error());
  if (*post_check != nullptr) {
    Reader pr(**post_check, origin, "post_check");
    if (auto k = pr.known({"argv", "expect_exit_code", "timeout_s"}); !k) {
      return tl::unexpected(k.error());
    }
    auto check_argv_values = pr.strings("argv", true, kMaxArgvElements);
    auto expect = pr.integer("expect_exit_code", 0, 255, 0);
    auto check_timeout = pr.integer("timeout_s", 1, 600, 10);
    if (!check_argv_values) return tl::unexpected(check_argv_values.error());
    if (!expect) return tl::unexpected(expect.error());
    if (!check_timeout) return tl::unexpected(check_timeout.error());
    if (auto c = check_argv(pr, "argv", *check_argv_values, def, used); !c) {
      return tl::unexpected(c.error());
    }
    def.post_check = PostCheckSpec{std::move(*check_argv_values), static_cast<int>(*expect),
                                   static_cast<std::uint32_t>(*check_timeout)};
  }
  auto attachment = r.table("stdout_attachment", "expected a table");
  if (!attachment) return tl::unexpected(attachment.error());
  if (*attachment != nullptr) {
    Reader ar(**attachment, origin, "stdout_attachment");
    if (auto k = ar.known({"name", "content_type"}); !k) return tl::unexpected(k.error());
    auto name = ar.text("name", true, 100);
    auto type = ar.text("content_type", true, 100);
    if (!name) return tl::unexpected(name.error());
    if (!type) return tl::unexpected(type.error());
    static const std::regex kFileName("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    static const std::regex kContentType("[a-z]+/[a-z0-9.+-]{1,80}");
    if (!std::regex_match(*name, kFileName)) {
      return ar.bad("name", "a file name: letters, digits, . _ - (at most 100)");
    }
    if (!std::regex_match(*type, kContentType)) {
      return ar.bad("content_type", "a media type such as application/gzip");
    }
    def.stdout_attachment = StdoutAttachmentSpec{*name, *type};
  }
  for (const auto& p : def.params) {
    if (std::find(used.begin(), used.end(), p.name) == used.end()) {
      return r.bad("params", "parameter `" + p.name + "` is declared but never used in argv");
    }
  }
  return def;
}

}  // namespace triage::actions
