#pragma once
// triagectl's remediation commands: the action catalog, ordering an action on a ticket's
// device (and following it to its end), showing, approving, rejecting and cancelling orders.
// Output from the endpoint is untrusted: it is sanitized before it reaches the terminal.

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/util/result.hpp"

namespace triage::ctl {

/// One authenticated API call; non-2xx answers are errors.
using ApiCall = std::function<Result<nlohmann::json>(
    transport::http::verb, const std::string& target, const std::optional<nlohmann::json>& body)>;

/// Exit codes of `run --follow`, after the order's final state (besides 0, 1, 2, 3).
inline constexpr int kExitOrderFailed = 4;  ///< failed, timed out, or its post-check failed
inline constexpr int kExitOrderNotRun = 5;  ///< refused, expired, cancelled or rejected

struct RunRequest {
  std::string ticket_id;
  std::string action;
  std::vector<std::string> params;  ///< "name=value"
  std::string device_id;
  bool follow = false;
  std::chrono::milliseconds poll_interval{500};
};

struct Output {
  std::ostream& out;
  std::ostream& err;
  bool json = false;
};

Result<void> list_actions(const ApiCall& api, const Output& o);
/// Requests the order; with `follow`, prints its output as it grows until a final state and
/// returns the exit code for it (0 when it succeeded), else 0.
Result<int> run_action(const ApiCall& api, const RunRequest& request, const Output& o);
/// Polls the order until a final state, printing its output as it grows. The exit code.
Result<int> follow_order(const ApiCall& api, const std::string& order_id,
                         std::chrono::milliseconds poll_interval, const Output& o);
Result<void> show_order(const ApiCall& api, const std::string& order_id, const Output& o);
/// POST /api/v1/orders/{id}/{approve|reject|cancel} with an optional reason.
Result<void> decide_order(const ApiCall& api, const std::string& order_id,
                          const std::string& decision, const std::string& reason, const Output& o);

/// The exit code for an order in a final state (see kExitOrder*).
int order_exit_code(const nlohmann::json& order);
/// The JSON body of `params` ("name=value"), typed by the catalog entry `action` (integer
/// parameters become numbers). kInvalid for an item without '='.
Result<nlohmann::json> params_body(const std::vector<std::string>& params,
                                   const nlohmann::json& action);

}  // namespace triage::ctl
