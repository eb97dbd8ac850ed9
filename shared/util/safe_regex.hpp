#pragma once
// Regular expressions written by admins or users (action parameter patterns), matched on request
// threads. RE2 underneath: matching is linear in the input, so no pattern can backtrack
// catastrophically ("^(a+)+$" against "aaa...ab" answers at once). Byte-wise (Latin-1)
// semantics like std::regex on std::string; no backreferences or lookaround (refused at
// compile time with a clear message).

#include <memory>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace re2 {
class RE2;
}

namespace triage {

/// A compiled pattern. Cheap to copy (shares the compiled form); safe to use from many threads.
class SafeRegex {
 public:
  /// An empty pattern (matches only the empty string).
  SafeRegex();

  /// Compiles `pattern`; fails with RE2's reason ("missing ): ...", "invalid perl operator:
  /// (?=") when it is not a valid pattern or would need too much memory.
  static Result<SafeRegex> compile(std::string_view pattern);

  /// True when all of `text` matches (like std::regex_match).
  bool full_match(std::string_view text) const;

 private:
  explicit SafeRegex(std::shared_ptr<const re2::RE2> re);
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace triage
