#include "collector/api/query_params.hpp"

#include <charconv>

namespace triage::collector {

std::string QueryParams::text(const std::string& name) const {
  auto it = query_.find(name);
  return it == query_.end() ? std::string() : it->second;
}

std::vector<std::string> QueryParams::list(const std::string& name) const {
  std::vector<std::string> out;
  const std::string value = text(name);
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    if (end > start) out.push_back(value.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<long> QueryParams::integer(const std::string& name, long fallback, long min,
                                  long max) const {
  auto it = query_.find(name);
  if (it == query_.end()) return fallback;
  long value = 0;
  const auto& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || value < min || value > max) {
    return fail(ErrorCode::kInvalid, "`" + name + "` must be an integer from " +
                                         std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

Result<std::optional<bool>> QueryParams::flag(const std::string& name) const {
  auto it = query_.find(name);
  if (it == query_.end()) return std::optional<bool>();
  if (it->second == "true") return std::optional<bool>(true);
  if (it->second == "false") return std::optional<bool>(false);
  return fail(ErrorCode::kInvalid, "`" + name + "` must be true or false");
}

}  // namespace triage::collector
