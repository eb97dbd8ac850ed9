#include "collector/triagectl/ctl_actions.hpp"

#include <thread>

#include "collector/triagectl/ctl_client.hpp"
#include "collector/triagectl/ctl_output.hpp"

namespace triage::ctl {

namespace http = transport::http;
using nlohmann::json;

namespace {

std::string text(const json& j, const char* key) { return field(j, key); }

bool final_state(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "refused" || state == "expired" ||
         state == "cancelled";
}

/// Order ids are UUIDs: nothing else goes into a URL path.
Result<std::string> order_path(const std::string& id, const std::string& rest = "") {
  if (id.empty() || id.size() > 64 ||
      id.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos) {
    return fail(ErrorCode::kInvalid, "order id must be a UUID, not `" + sanitize(id) + "`");
  }
  return "/api/v1/orders/" + id + rest;
}

std::string stream_text(const json& order, const char* stream) {
  const auto& s = member(member(order, "output"), stream);
  return s.is_string() ? s.get<std::string>() : std::string();
}

/// Prints what `text` holds beyond `printed` bytes: whole lines only until `final`, so a
/// multi-byte character is never split between two polls.
void print_new(std::ostream& out, const std::string& text, std::size_t& printed, bool final) {
  if (text.size() <= printed) return;
  std::size_t end = text.size();
  if (!final) {
    const auto newline = text.rfind('\n');
    if (newline == std::string::npos || newline < printed) return;
    end = newline + 1;
  }
  out << sanitize(text.substr(printed, end - printed), true) << std::flush;
  printed = end;
}

std::string outcome_line(const json& order) {
  std::string line = "order " + text(order, "id") + ": " + text(order, "state");
  const auto& result = member(order, "result");
  if (result.is_object()) {
    if (result.contains("exit_code")) line += ", exit code " + text(result, "exit_code");
    if (member(result, "term_signal").is_number() && result["term_signal"] != 0) {
      line += ", signal " + text(result, "term_signal");
    }
    if (member(result, "timed_out") == true) line += ", timed out";
    if (result.contains("duration_ms")) line += ", " + text(result, "duration_ms") + " ms";
    if (const auto& pc = member(result, "post_check"); pc.is_object()) {
      line += member(pc, "passed") == true ? ", post-check passed" : ", post-check FAILED";
    }
  }
  if (const auto& reason = member(order, "reason");
      reason.is_string() && !reason.get<std::string>().empty()) {
    line += " (" + truncate(reason.get<std::string>(), 300) + ")";
  }
  return line;
}

}  // namespace

int order_exit_code(const json& order) {
  const auto state = member(order, "state");
  if (state == "succeeded") {
    const auto& pc = member(member(order, "result"), "post_check");
    return pc.is_object() && member(pc, "passed") != true ? kExitOrderFailed : 0;
  }
  if (state == "failed") return kExitOrderFailed;
  return kExitOrderNotRun;
}

Result<json> params_body(const std::vector<std::string>& params, const json& action) {
  json body = json::object();
  for (const auto& item : params) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(ErrorCode::kInvalid, "--param `" + sanitize(item) + "`: expected NAME=VALUE");
    }
    const auto name = item.substr(0, eq);
    const auto value = item.substr(eq + 1);
    bool integer = false;
    if (const auto& specs = member(action, "params"); specs.is_array()) {
      for (const auto& p : specs) {
        if (member(p, "name") == name && member(p, "type") == "integer") integer = true;
      }
    }
    if (integer) {
      // Sent as a number when it reads as one; the server names the parameter otherwise.
      const auto parsed = json::parse(value, nullptr, false);
      body[name] = parsed.is_number_integer() ? parsed : json(value);
    } else {
      body[name] = value;
    }
  }
  return body;
}

Result<void> list_actions(const ApiCall& api, const Output& o) {
  auto body = api(http::verb::get, "/api/v1/actions", std::nullopt);
  if (!body) return tl::unexpected(body.error());
  if (o.json) {
    o.out << body->dump(2) << "\n";
    return {};
  }
  std::vector<std::vector<std::string>> rows;
  if (const auto& items = member(*body, "items"); items.is_array()) {
    for (const auto& a : items) {
      std::string params;
      if (const auto& ps = member(a, "params"); ps.is_array()) {
        for (const auto& p : ps) {
          params += (params.empty() ? "" : " ") + text(p, "name") + ":" + text(p, "type");
        }
      }
      rows.push_back({truncate(text(a, "id"), 40), text(a, "version"), text(a, "risk"),
                      text(a, "min_role"), text(a, "approval"), truncate(text(a, "source"), 20),
                      truncate(params.empty() ? "-" : params, 40), truncate(text(a, "title"), 50)});
    }
  }
  print_table(o.out, {"ID", "VER", "RISK", "ROLE", "APPROVAL", "SOURCE", "PARAMS", "TITLE"}, rows);
  return {};
}

Result<int> follow_order(const ApiCall& api, const std::string& order_id,
                         std::chrono::milliseconds poll_interval, const Output& o) {
  auto path = order_path(order_id);
  if (!path) return tl::unexpected(path.error());
  std::size_t out_printed = 0, err_printed = 0;
  std::string last_state;
  for (;;) {
    auto order = api(http::verb::get, *path, std::nullopt);
    if (!order) return tl::unexpected(order.error());
    const auto state = text(*order, "state");
    const bool final = final_state(state);
    if (state != last_state && !final && !o.json) {
      o.err << "order " << text(*order, "id") << ": " << state << "\n" << std::flush;
    }
    last_state = state;
    if (!o.json) {
      print_new(o.out, stream_text(*order, "stdout"), out_printed, final);
      print_new(o.err, stream_text(*order, "stderr"), err_printed, final);
    }
    if (final) {
      if (o.json) {
        o.out << order->dump(2) << "\n";
      } else {
        o.err << outcome_line(*order) << "\n";
      }
      return order_exit_code(*order);
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

Result<int> run_action(const ApiCall& api, const RunRequest& r, const Output& o) {
  const bool bad_ticket = r.ticket_id.empty() || r.ticket_id.size() > 18 ||
                          r.ticket_id.find_first_not_of("0123456789") != std::string::npos;
  if (bad_ticket) {
    return fail(ErrorCode::kInvalid,
                "ticket id must be a number, not `" + sanitize(r.ticket_id) + "`");
  }
  // The catalog says which parameters are integers, so they go out as JSON numbers.
  auto catalog = api(http::verb::get, "/api/v1/actions", std::nullopt);
  if (!catalog) return tl::unexpected(catalog.error());
  json action;
  if (const auto& items = member(*catalog, "items"); items.is_array()) {
    for (const auto& a : items) {
      if (member(a, "id") == r.action) action = a;
    }
  }
  auto params = params_body(r.params, action);
  if (!params) return tl::unexpected(params.error());
  json body = {{"action", r.action}, {"params", *params}};
  if (!r.device_id.empty()) body["device_id"] = r.device_id;
  auto order = api(http::verb::post, "/api/v1/tickets/" + r.ticket_id + "/actions", body);
  if (!order) return tl::unexpected(order.error());
  if (!r.follow) {
    if (o.json) {
      o.out << order->dump(2) << "\n";
    } else {
      o.out << "order " << text(*order, "id") << ": " << text(*order, "state") << " ("
            << text(*order, "action") << " on device " << text(*order, "device_id") << ")\n";
    }
    return 0;
  }
  if (!o.json) {
    o.err << "order " << text(*order, "id") << " requested: " << text(*order, "action")
          << " on device " << text(*order, "device_id") << "\n";
  }
  return follow_order(api, text(*order, "id"), r.poll_interval, o);
}

Result<void> show_order(const ApiCall& api, const std::string& order_id, const Output& o) {
  auto path = order_path(order_id);
  if (!path) return tl::unexpected(path.error());
  auto order = api(http::verb::get, *path, std::nullopt);
  if (!order) return tl::unexpected(order.error());
  if (o.json) {
    o.out << order->dump(2) << "\n";
    return {};
  }
  const auto& j = *order;
  o.out << "order " << text(j, "id") << "  " << text(j, "action") << " v"
        << text(j, "action_version") << "  (" << text(j, "risk") << " risk)\n";
  o.out << "state: " << text(j, "state") << "   ticket: #" << text(j, "ticket_id")
        << "   device: " << text(j, "device_id") << "\n";
  o.out << "requested by: " << text(j, "requested_by")
        << "   approved by: " << text(j, "approved_by") << "   created: " << text(j, "created_at")
        << "   finished: " << text(j, "finished_at") << "\n";
  o.out << "argv: " << truncate(text(j, "argv"), 300) << "\n";
  o.out << "definition sha256: " << text(j, "definition_sha256") << "\n";
  o.out << outcome_line(j) << "\n";
  const auto out = stream_text(j, "stdout");
  const auto err = stream_text(j, "stderr");
  if (!out.empty()) o.out << "\nstdout:\n" << sanitize(out, true) << "\n";
  if (!err.empty()) o.out << "\nstderr:\n" << sanitize(err, true) << "\n";
  return {};
}

Result<void> decide_order(const ApiCall& api, const std::string& order_id,
                          const std::string& decision, const std::string& reason, const Output& o) {
  auto path = order_path(order_id, "/" + decision);
  if (!path) return tl::unexpected(path.error());
  std::optional<json> body;
  if (!reason.empty()) body = json{{"reason", reason}};
  auto order = api(http::verb::post, *path, body);
  if (!order) return tl::unexpected(order.error());
  if (o.json) {
    o.out << order->dump(2) << "\n";
  } else {
    o.out << outcome_line(*order) << "\n";
  }
  return {};
}

}  // namespace triage::ctl
