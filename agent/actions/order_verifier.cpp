#include "agent/actions/order_verifier.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "agent/actions/order_content.hpp"
#include "shared/actions/action_platform.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "shared/util/command_interpreters.hpp"

namespace triage::agent {

namespace {

tl::unexpected<Error> refuse(std::string reason) {
  return fail(ErrorCode::kDenied, std::move(reason));
}

Result<void> check_argv(const google::protobuf::RepeatedPtrField<std::string>& argv,
                        const char* what, std::string_view platform) {
  if (argv.empty()) return refuse(std::string(what) + " is empty");
  if (argv.size() > 64) return refuse(std::string(what) + " has more than 64 elements");
  if (!actions::is_absolute_program_path(platform, argv[0])) {
    return refuse(std::string(what) + "[0] is not an absolute path");
  }
  // The path as signed and the file it resolves to here (/bin/sh is a link to dash).
  std::error_code ec;
  const auto resolved = std::filesystem::canonical(argv[0], ec);
  if (is_command_interpreter(argv[0]) ||
      (!ec && is_command_interpreter(resolved.filename().string()))) {
    return refuse(std::string(what) + "[0] " + argv[0] +
                  " is a shell, interpreter or exec wrapper; it is never run");
  }
  for (const auto& element : argv) {
    if (element.size() > 4096 || element.find('\0') != std::string::npos) {
      return refuse(std::string(what) + " has an element with a NUL byte or over 4096 bytes");
    }
  }
  return {};
}

}  // namespace

std::optional<ActionRisk> to_action_risk(v1::Risk risk) {
  switch (risk) {
    case v1::RISK_LOW:
      return ActionRisk::kLow;
    case v1::RISK_MEDIUM:
      return ActionRisk::kMedium;
    case v1::RISK_HIGH:
      return ActionRisk::kHigh;
    default:
      return std::nullopt;
  }
}

Result<AcceptedCatalog> verify_catalog(const v1::SignedCatalog& signed_catalog,
                                       EVP_PKEY* pinned_key, std::int64_t newer_than_unix_ms) {
  if (pinned_key == nullptr) return refuse("no order-signing key was pinned at enrollment");
  if (!protocol::verify_payload(pinned_key, protocol::kCatalogContext, signed_catalog.payload(),
                                signed_catalog.signature())) {
    return refuse("the action catalog's signature is not valid for the pinned key");
  }
  v1::CatalogManifest manifest;
  if (!manifest.ParseFromString(signed_catalog.payload())) {
    return refuse("the action catalog is unreadable");
  }
  if (manifest.issued_at_unix_ms() < newer_than_unix_ms) {
    return refuse("the action catalog is older than the one already accepted");
  }
  AcceptedCatalog out;
  out.issued_at_unix_ms = manifest.issued_at_unix_ms();
  for (const auto& e : manifest.entries()) {
    out.entries[e.action_id()] =
        CatalogEntryInfo{e.action_version(), e.definition_sha256(), e.risk()};
  }
  return out;
}

std::optional<v1::OrderPayload> signed_payload(const v1::SignedOrder& order, EVP_PKEY* pinned_key) {
  if (pinned_key == nullptr || !protocol::verify_payload(pinned_key, protocol::kOrderContext,
                                                         order.payload(), order.signature())) {
    return std::nullopt;
  }
  v1::OrderPayload p;
  if (!p.ParseFromString(order.payload())) return std::nullopt;
  return p;
}

std::string claimed_order_id(const v1::SignedOrder& order) {
  v1::OrderPayload payload;
  if (!payload.ParseFromString(order.payload())) return "";
  return payload.order_id().substr(0, 64);
}

Result<v1::OrderPayload> verify_order(const v1::SignedOrder& order, const OrderChecks& checks) {
  const SignedRequestChecks request{checks.pinned_key, checks.device_id, checks.now_unix_ms,
                                    checks.clock_skew_ms};
  // Nothing in the payload is looked at before the signature holds.
  if (auto r =
          check_signature(request, protocol::kOrderContext, order.payload(), order.signature());
      !r) {
    return tl::unexpected(r.error());
  }
  v1::OrderPayload p;
  if (!p.ParseFromString(order.payload())) return refuse("signed payload is unreadable");
  if (auto r = check_request_fields(
          {p.order_id(), p.device_id(), p.issued_at_unix_ms(), p.expires_at_unix_ms(), p.nonce()},
          request, "order");
      !r) {
    return tl::unexpected(r.error());
  }
  // An order for another platform's action is refused before its argv is read by our rules.
  if (p.platform() != checks.platform) {
    return refuse("order is for platform " + p.platform().substr(0, 16) + "; this agent runs on " +
                  checks.platform);
  }
  if (auto r = check_argv(p.argv(), "argv", checks.platform); !r) return tl::unexpected(r.error());
  if (p.has_post_check() && !p.post_check().argv().empty()) {
    if (auto r = check_argv(p.post_check().argv(), "post-check argv", checks.platform); !r) {
      return tl::unexpected(r.error());
    }
    if (p.post_check().timeout_s() == 0 || p.post_check().timeout_s() > kMaxPostCheckTimeoutS) {
      return refuse("post-check timeout must be 1 to 600 seconds");
    }
  }
  if (p.timeout_s() == 0 || p.timeout_s() > kMaxOrderTimeoutS) {
    return refuse("order timeout must be 1 to 3600 seconds");
  }
  if (p.output_cap_bytes() == 0 || p.output_cap_bytes() > kMaxOrderOutputCap) {
    return refuse("order output cap must be 1 byte to 4 MiB");
  }
  auto risk = to_action_risk(p.risk());
  if (!risk) return refuse("order has no known risk level");
  if (checks.catalog == nullptr) return refuse("no signed action catalog received yet");
  auto entry = checks.catalog->entries.find(p.action_id());
  if (entry == checks.catalog->entries.end()) {
    return refuse("action " + p.action_id().substr(0, 64) + " is not in the signed catalog");
  }
  if (!pki::constant_time_equal(entry->second.definition_sha256, p.definition_sha256()) ||
      entry->second.version != p.action_version()) {
    return refuse("definition hash of action " + p.action_id() +
                  " does not match the signed catalog");
  }
  if (entry->second.risk != p.risk()) {
    return refuse("risk of action " + p.action_id() + " does not match the signed catalog");
  }
  if (checks.policy == nullptr || !checks.policy->allows(p.action_id(), *risk)) {
    std::string limit = checks.policy && checks.policy->max_risk
                            ? std::string(action_risk_name(*checks.policy->max_risk))
                            : std::string("none");
    return refuse(
        "local policy does not allow action " + p.action_id() + " (" +
        std::string(action_risk_name(*risk)) + " risk; this endpoint allows up to " + limit +
        (checks.policy && !checks.policy->allow.empty() ? ", listed ids only" : "") + ")");
  }
  if (auto r = check_order_content(p, *checks.policy); !r) return tl::unexpected(r.error());
  return p;
}

}  // namespace triage::agent
