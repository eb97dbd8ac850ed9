#pragma once
// The probe catalog as both sides know it: each probe's name, its typed parameters and their
// rules, and the budgets a probe may ask for. The collector checks a request with these
// before it signs it; the agent checks the signed request again before it runs it, so a
// collector that lets something through still cannot turn an endpoint into a scanner: one
// host and one port per probe (no ranges, no lists, no wildcards, no network prefixes), no
// broadcast, multicast or unspecified addresses, URLs without credentials.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"
#include "triage/v1/probe.pb.h"

namespace triage::probes {

/// The probes this build knows, in the order the catalog lists them.
std::span<const std::string_view> probe_names();
/// True when `name` is one of probe_names().
bool known_probe(std::string_view name);

/// Budgets a request may ask for (and the defaults when it names none).
inline constexpr std::uint32_t kMaxTimeBudgetMs = 30'000;
inline constexpr std::uint32_t kDefaultTimeBudgetMs = 10'000;
inline constexpr std::uint32_t kMaxOutputBudgetBytes = 64 * 1024;
inline constexpr std::uint32_t kDefaultOutputBudgetBytes = 16 * 1024;
inline constexpr std::uint32_t kMaxRedirects = 5;
inline constexpr std::uint32_t kMaxDiskDepth = 8;
inline constexpr std::uint32_t kMaxDiskTop = 50;
inline constexpr std::uint32_t kMaxLogLines = 500;
inline constexpr std::uint32_t kMaxLogMinutes = 24 * 60;
inline constexpr std::uint32_t kMaxPathHops = 30;

/// Syslog's levels, most severe first: "emerg" is 0, "debug" 7 (the journal's PRIORITY).
/// nullopt for any other word. "" is not a level (the request's default, "warning", is
/// applied before).
std::optional<int> log_level_rank(std::string_view level);
/// The name of rank 0..7 ("err"); "debug" beyond.
std::string_view log_level_name(int rank);

/// One host: a DNS name or a single IPv4/IPv6 address that is neither unspecified,
/// broadcast nor multicast. kInvalid naming `field` otherwise.
Result<void> check_host(std::string_view host, std::string_view field);
/// A DNS name (not an address): what `resolve` looks up.
Result<void> check_dns_name(std::string_view name, std::string_view field);

/// An http(s) URL split into its parts.
struct ProbeUrl {
  bool https = false;
  std::string host;  ///< without brackets for IPv6
  std::uint16_t port = 0;
  std::string target;  ///< path and query, "/" at least
};
/// Parses an absolute http:// or https:// URL of at most 2048 printable bytes, without user
/// information, whose host passes check_host().
Result<ProbeUrl> parse_probe_url(std::string_view url);

/// kInvalid naming the first parameter or budget of `payload` that breaks the rules, or the
/// probe name that is unknown or does not match the parameters given.
Result<void> check_probe_request(const v1::ProbePayload& payload);

/// A short, printable description of what the probe looks at ("mail.example.com:443 tls"),
/// for the history, logs and the ticket.
std::string probe_target(const v1::ProbePayload& payload);

/// How a run ended, as the history, the audit and the API spell it: "completed", "refused" or
/// "failed".
const char* probe_status_name(v1::ProbeStatus status);

}  // namespace triage::probes
