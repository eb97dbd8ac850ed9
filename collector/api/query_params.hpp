#pragma once
// Typed access to a request's query string, with errors that name the parameter.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::collector {

/// Decodes a query-string component: "+" is a space, "%XX" a byte; a "%" without two hex
/// digits after it stays as it is. The result may hold any byte, NUL included.
std::string percent_decode(std::string_view in);

/// The name/value pairs of a raw query string ("a=1&b=x%20y"), percent-decoded; a later
/// duplicate name wins, a pair without "=" has the value "".
std::map<std::string, std::string> parse_query(std::string_view query);

class QueryParams {
 public:
  explicit QueryParams(const std::map<std::string, std::string>& query) : query_(query) {}

  /// The value, or "" when absent.
  std::string text(const std::string& name) const;
  /// Comma-separated values ("status=open,pending"), empty items dropped.
  std::vector<std::string> list(const std::string& name) const;
  /// An integer in [min, max], `fallback` when absent; kInvalid otherwise.
  Result<long> integer(const std::string& name, long fallback, long min, long max) const;
  /// "true" or "false"; nullopt when absent; kInvalid otherwise.
  Result<std::optional<bool>> flag(const std::string& name) const;

 private:
  const std::map<std::string, std::string>& query_;
};

}  // namespace triage::collector
