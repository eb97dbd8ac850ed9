#pragma once
// The one reader of the TOML files people write (the collector's and the agent's configuration,
// action definitions): parsing with a size limit and the error's position, typed reads that
// name the key's path and the type expected, and unknown keys refused with the allowed ones
// listed. Debian's toml++ throws on a syntax error; the throw stops here.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "shared/util/result.hpp"

namespace triage {

/// The largest TOML text read unless a caller says otherwise.
inline constexpr std::size_t kMaxTomlBytes = 1024 * 1024;

/// Parses `text`. `subject` names it in errors ("config /etc/triage/agent.toml"):
/// "SUBJECT line 3, column 9: what is wrong" for bad syntax, "SUBJECT: larger than N bytes"
/// past `max_bytes` (nothing is parsed then). Errors are kInvalid.
Result<toml::table> parse_toml(std::string_view text, const std::string& subject,
                               std::size_t max_bytes = kMaxTomlBytes);

/// Reads the file at `path` (at most `max_bytes`) and parses it as parse_toml() does; a file
/// that cannot be read is "SUBJECT: " and why.
Result<toml::table> parse_toml_file(const std::filesystem::path& path, const std::string& subject,
                                    std::size_t max_bytes = kMaxTomlBytes);

/// How errors about one key are worded: each kind of file keeps the wording its users know.
enum class TomlWording {
  /// "config key `limits.hello_timeout_ms` on line 3: expected an integer from 100 to 600000",
  /// "unknown config key `limits.x` on line 3; allowed: ..."
  kConfig,
  /// "`params.unit.type` (line 3): expected a string", "`shell` (line 3): unknown key; allowed:
  /// ..."
  kDefinition,
};

/// Reads the keys of one table of a parsed file. Every error is kInvalid and names the key's
/// full path ("limits.max_message_bytes") and, when the key is there, its line. A typed read
/// of an absent key gives nullopt (or leaves `out` as it was): defaults belong to the caller.
class TomlReader {
 public:
  /// `path` is the table's own key path ("" for the file's root, "limits", "params.unit").
  /// `table` must outlive the reader.
  explicit TomlReader(const toml::table& table, std::string path = {},
                      TomlWording wording = TomlWording::kConfig);

  const toml::table& table() const { return table_; }
  /// The full path of `key` of this table ("limits.max_message_bytes"); the table's own path
  /// for an empty key.
  std::string key_path(std::string_view key) const;
  /// A reader of `table`, the value of this table's `key`, with the same wording.
  TomlReader nested(const toml::table& table, std::string_view key) const;

  /// An error about `key` saying `what`, on the line of `at` when given (an element of an
  /// array), else on the key's own line when it is there.
  tl::unexpected<Error> error(std::string_view key, std::string_view what,
                              const toml::node* at = nullptr) const;

  /// Refuses the first key of the table not in `allowed`, naming it and listing `allowed`.
  Result<void> allow_only(std::initializer_list<std::string_view> allowed) const;
  Result<void> allow_only(const std::vector<std::string>& allowed) const;

  /// The table under `key` (a [section]), nullptr when absent; another type is an error.
  Result<const toml::table*> section(std::string_view key) const;

  /// An integer (never a float, not even 30.0) from `min` to `max`.
  Result<std::optional<std::int64_t>> integer(std::string_view key, std::int64_t min,
                                              std::int64_t max) const;
  /// A string.
  Result<std::optional<std::string>> string(std::string_view key) const;
  /// true or false (never a number).
  Result<std::optional<bool>> boolean(std::string_view key) const;
  /// An array of strings. `check`, when given, returns what is wrong with one element ("" when
  /// nothing is); the error is on that element's line.
  Result<std::optional<std::vector<std::string>>> strings(
      std::string_view key,
      const std::function<std::string(const std::string&)>& check = nullptr) const;

  /// The same reads into `out` when the key is there; `out` keeps its value when it is not.
  template <class Integer>
  Result<void> read(std::string_view key, Integer& out, std::int64_t min, std::int64_t max) const {
    auto value = integer(key, min, max);
    if (!value) return tl::unexpected(value.error());
    if (*value) out = static_cast<Integer>(**value);
    return {};
  }
  Result<void> read(std::string_view key, std::string& out) const;
  Result<void> read(std::string_view key, bool& out) const;
  Result<void> read(std::string_view key, std::vector<std::string>& out,
                    const std::function<std::string(const std::string&)>& check = nullptr) const;

 private:
  Result<void> refuse_unknown(const std::vector<std::string_view>& allowed) const;

  const toml::table& table_;
  std::string path_;
  TomlWording wording_;
};

}  // namespace triage
