#include "shared/util/safe_regex.hpp"

#include <re2/re2.h>

namespace triage {
namespace {

// Far above any parameter pattern; bounds what one compiled pattern may hold.
constexpr std::int64_t kMaxProgramBytes = 1 << 20;

RE2::Options options() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  o.set_never_capture(true);
  o.set_max_mem(kMaxProgramBytes);
  return o;
}

}  // namespace

SafeRegex::SafeRegex() : SafeRegex(std::make_shared<const re2::RE2>("", options())) {}

SafeRegex::SafeRegex(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}

Result<SafeRegex> SafeRegex::compile(std::string_view pattern) {
  auto re =
      std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options());
  if (!re->ok()) return fail(re->error());
  return SafeRegex(std::move(re));
}

bool SafeRegex::full_match(std::string_view text) const {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace triage
