#include "shared/util/toml_reader.hpp"

#include <algorithm>

#include "shared/util/files.hpp"

namespace triage {

namespace {

std::string joined(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace

Result<toml::table> parse_toml(std::string_view text, const std::string& subject,
                               std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return fail(ErrorCode::kInvalid,
                subject + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  try {
    // Debian's toml++ is built with exceptions; they stop at this boundary.
    return toml::parse(text);
  } catch (const toml::parse_error& err) {
    const auto& at = err.source().begin;
    return fail(ErrorCode::kInvalid, subject + " line " + std::to_string(at.line) + ", column " +
                                         std::to_string(at.column) + ": " +
                                         std::string(err.description()));
  }
}

Result<toml::table> parse_toml_file(const std::filesystem::path& path, const std::string& subject,
                                    std::size_t max_bytes) {
  auto text = read_file(path, max_bytes);
  if (!text) return fail(subject, text.error());
  return parse_toml(*text, subject, max_bytes);
}

TomlReader::TomlReader(const toml::table& table, std::string path, TomlWording wording)
    : table_(table), path_(std::move(path)), wording_(wording) {}

std::string TomlReader::key_path(std::string_view key) const {
  if (key.empty()) return path_;
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

TomlReader TomlReader::nested(const toml::table& table, std::string_view key) const {
  return TomlReader(table, key_path(key), wording_);
}

tl::unexpected<Error> TomlReader::error(std::string_view key, std::string_view what,
                                        const toml::node* at) const {
  if (at == nullptr && !key.empty()) at = table_.get(key);
  const std::string line = at ? std::to_string(at->source().begin.line) : "";
  const std::string name = key_path(key);
  if (wording_ == TomlWording::kConfig) {
    return fail(ErrorCode::kInvalid, "config key `" + name + "`" +
                                         (line.empty() ? "" : " on line " + line) + ": " +
                                         std::string(what));
  }
  return fail(ErrorCode::kInvalid, "`" + name + "`" + (line.empty() ? "" : " (line " + line + ")") +
                                       ": " + std::string(what));
}

Result<void> TomlReader::allow_only(std::initializer_list<std::string_view> allowed) const {
  return refuse_unknown(std::vector<std::string_view>(allowed));
}

Result<void> TomlReader::allow_only(const std::vector<std::string>& allowed) const {
  return refuse_unknown(std::vector<std::string_view>(allowed.begin(), allowed.end()));
}

Result<void> TomlReader::refuse_unknown(const std::vector<std::string_view>& allowed) const {
  for (const auto& [key, node] : table_) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    const std::string line = std::to_string(node.source().begin.line);
    const std::string name = key_path(key.str());
    if (wording_ == TomlWording::kConfig) {
      return fail(ErrorCode::kInvalid, "unknown config key `" + name + "` on line " + line +
                                           "; allowed: " + joined(allowed));
    }
    return fail(ErrorCode::kInvalid,
                "`" + name + "` (line " + line + "): unknown key; allowed: " + joined(allowed));
  }
  return {};
}

Result<const toml::table*> TomlReader::section(std::string_view key) const {
  const auto* node = table_.get(key);
  if (node == nullptr) return nullptr;
  if (const auto* table = node->as_table()) return table;
  return error(key, wording_ == TomlWording::kConfig ? "expected a [section]" : "expected a table");
}

Result<std::optional<std::int64_t>> TomlReader::integer(std::string_view key, std::int64_t min,
                                                        std::int64_t max) const {
  const auto* node = table_.get(key);
  if (node == nullptr) return std::nullopt;
  // Integers only: toml++'s value<int64_t>() converts a float, and one out of range
  // ("6.6e56") is undefined behaviour in that conversion.
  const auto* integer = node->as_integer();
  if (integer == nullptr || integer->get() < min || integer->get() > max) {
    return error(key,
                 "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return integer->get();
}

Result<std::optional<std::string>> TomlReader::string(std::string_view key) const {
  const auto* node = table_.get(key);
  if (node == nullptr) return std::nullopt;
  const auto* text = node->as_string();
  if (text == nullptr) return error(key, "expected a string");
  return text->get();
}

Result<std::optional<bool>> TomlReader::boolean(std::string_view key) const {
  const auto* node = table_.get(key);
  if (node == nullptr) return std::nullopt;
  const auto* flag = node->as_boolean();
  if (flag == nullptr) return error(key, "expected true or false");
  return flag->get();
}

Result<std::optional<std::vector<std::string>>> TomlReader::strings(
    std::string_view key, const std::function<std::string(const std::string&)>& check) const {
  const auto* node = table_.get(key);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr) return error(key, "expected an array of strings");
  std::vector<std::string> values;
  values.reserve(array->size());
  for (const auto& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) return error(key, "expected an array of strings", &element);
    if (check) {
      if (auto problem = check(text->get()); !problem.empty()) {
        return error(key, problem, &element);
      }
    }
    values.push_back(text->get());
  }
  return values;
}

Result<void> TomlReader::read(std::string_view key, std::string& out) const {
  auto value = string(key);
  if (!value) return tl::unexpected(value.error());
  if (*value) out = std::move(**value);
  return {};
}

Result<void> TomlReader::read(std::string_view key, bool& out) const {
  auto value = boolean(key);
  if (!value) return tl::unexpected(value.error());
  if (*value) out = **value;
  return {};
}

Result<void> TomlReader::read(std::string_view key, std::vector<std::string>& out,
                              const std::function<std::string(const std::string&)>& check) const {
  auto value = strings(key, check);
  if (!value) return tl::unexpected(value.error());
  if (*value) out = std::move(**value);
  return {};
}

}  // namespace triage
