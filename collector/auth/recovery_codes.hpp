#pragma once
// Recovery codes: one-time codes a user keeps on paper for when their authenticator is lost.
// 80 random bits each, shown once at enrollment, stored only as SHA-256 (a stolen database does
// not give them away: 2^80 guesses per code).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::collector {

/// How many codes an enrollment hands out.
inline constexpr int kRecoveryCodeCount = 10;

/// A fresh code as shown: 16 lower-case base32 characters in groups of four ("abcd-efgh-...").
std::string new_recovery_code();

/// `count` fresh codes.
std::vector<std::string> new_recovery_codes(int count = kRecoveryCodeCount);

/// The stored hash of a code as typed (case, dashes and spaces do not matter); nullopt when the
/// text cannot be a recovery code.
std::optional<std::string> recovery_code_hash(std::string_view typed);

}  // namespace triage::collector
