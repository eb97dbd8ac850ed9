#pragma once
// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1 from OpenSSL): the
// second factor of local accounts, as authenticator apps compute it (30-second steps, 6
// digits), and the otpauth:// URI those apps import.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collector/storage/records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The length of a step: codes change every 30 seconds.
inline constexpr std::chrono::seconds kTotpStep{30};
/// Digits of a code.
inline constexpr int kTotpDigits = 6;

/// RFC 4648 base32 without padding (the alphabet authenticator apps expect).
std::string base32_encode(std::string_view bytes);
/// Base32 text (upper or lower case, no padding, spaces ignored) to bytes; nullopt when it is
/// not base32 or decodes to nothing.
std::optional<std::string> base32_decode(std::string_view text);

/// HOTP (RFC 4226) of `key` at `counter`: `digits` decimal digits (6-8), zero-padded.
Result<std::string> hotp(std::string_view key, std::uint64_t counter, int digits = kTotpDigits);

/// The step (Unix time / 30 s) `now` falls in.
std::int64_t totp_step(TimePoint now);

/// The TOTP code of `key` in `step`.
Result<std::string> totp_code(std::string_view key, std::int64_t step, int digits = kTotpDigits);

/// The step among now-1, now and now+1 (clocks drift) whose code is `code`, compared in
/// constant time; nullopt when none is, or `code` is not 6 digits.
std::optional<std::int64_t> match_totp(std::string_view key, std::string_view code, TimePoint now);

/// A fresh 160-bit secret (RFC 4226's recommended length) in base32, as stored and shown.
std::string new_totp_secret();

/// The otpauth://totp/ URI authenticator apps import (label "issuer:account").
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32);

}  // namespace triage::collector
