#include "collector/auth/second_factor.hpp"

#include "collector/auth/recovery_codes.hpp"
#include "collector/auth/totp.hpp"

namespace triage::collector {

namespace {

SecondFactorCheck refused(std::string why) { return SecondFactorCheck{false, "", std::move(why)}; }

}  // namespace

Result<SecondFactorCheck> check_second_factor(Store& store, const User& user, std::string_view code,
                                              TimePoint now) {
  constexpr std::string_view kWrong = "wrong authenticator code";
  if (code.size() == static_cast<std::size_t>(kTotpDigits)) {
    auto key = base32_decode(user.totp_secret);
    if (!key)
      return fail(ErrorCode::kFailed, "the stored TOTP secret of " + user.name + " is not base32");
    auto step = match_totp(*key, code, now);
    if (!step) return refused(std::string(kWrong));
    auto fresh =
        store.write([&](WriteTx& tx) { return tx.auth().accept_totp_step(user.id, *step); });
    if (!fresh) return tl::unexpected(fresh.error());
    if (!*fresh) return refused("this code was used already: wait for the next one");
    return SecondFactorCheck{true, "password+totp", ""};
  }
  auto hash = recovery_code_hash(code);
  if (!hash) return refused(std::string(kWrong));
  auto used =
      store.write([&](WriteTx& tx) { return tx.auth().use_recovery_code(user.id, *hash, now); });
  if (!used) return tl::unexpected(used.error());
  if (!*used) return refused("wrong recovery code, or one used already");
  return SecondFactorCheck{true, "password+recovery_code", ""};
}

}  // namespace triage::collector
