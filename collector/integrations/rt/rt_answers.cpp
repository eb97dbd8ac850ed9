#include "collector/integrations/rt/rt_answers.hpp"

#include <algorithm>
#include <charconv>

namespace triage::collector {

namespace {

constexpr std::size_t kDetailBytes = 200;

std::string id_text(const nlohmann::json& id) {
  if (id.is_number_integer()) return std::to_string(id.get<std::int64_t>());
  if (id.is_string()) return id.get<std::string>();
  return "";
}

// An attachment's or transaction's id as a number; 0 when it is not one (or out of range).
std::int64_t id_number(const nlohmann::json& id) {
  auto text = id_text(id);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

}  // namespace

RtFailure rt_failure(bool retry, int status, std::string_view detail) {
  std::string out;
  for (char c : detail.substr(0, kDetailBytes)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  return RtFailure{retry, status, std::move(out)};
}

bool rt_retryable_status(int status) {
  if (status == 401 || status == 403 || status == 404 || status == 408 || status == 429) {
    return true;
  }
  return !(status >= 400 && status < 500);
}

RtResult<nlohmann::json> read_rt_answer(int status, std::string_view body, bool want_array) {
  if (status < 200 || status >= 300) {
    auto detail = "RT answered HTTP " + std::to_string(status);
    if (auto excerpt = rt_failure(false, 0, body).detail; !excerpt.empty()) {
      detail += ": " + excerpt;
    }
    return tl::unexpected(rt_failure(rt_retryable_status(status), status, detail));
  }
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || (want_array ? !parsed.is_array() : !parsed.is_object())) {
    return tl::unexpected(rt_failure(true, status,
                                     std::string("RT answered HTTP ") + std::to_string(status) +
                                         " with a body that is not a JSON " +
                                         (want_array ? "array" : "object")));
  }
  return parsed;
}

RtResult<std::string> rt_created_ticket_id(const nlohmann::json& answer) {
  auto id = id_text(answer.value("id", nlohmann::json()));
  if (!valid_rt_ticket_id(id)) {
    return tl::unexpected(rt_failure(false, 201, "RT created a ticket without a valid id"));
  }
  return id;
}

RtResult<std::string> rt_ticket_status(const nlohmann::json& answer) {
  auto status = answer.find("Status");
  if (status == answer.end() || !status->is_string() || status->get<std::string>().size() > 64) {
    return tl::unexpected(rt_failure(true, 200, "RT's ticket has no Status"));
  }
  return status->get<std::string>();
}

RtResult<std::size_t> rt_attachment_page(const nlohmann::json& answer,
                                         std::vector<RtAttachmentInfo>& out) {
  auto items = answer.find("items");
  if (items == answer.end() || !items->is_array()) {
    return tl::unexpected(rt_failure(true, 200, "RT's attachment list has no items"));
  }
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    RtAttachmentInfo a;
    a.id = id_number(item.value("id", nlohmann::json()));
    auto text = [&](const char* key) {
      auto it = item.find(key);
      return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    a.filename = text("Filename");
    a.subject = text("Subject");
    // A bare id with `fields=`, an object {id, _url, type} without.
    if (auto tx = item.find("TransactionId"); tx != item.end()) {
      a.transaction_id = id_number(tx->is_object() ? tx->value("id", nlohmann::json()) : *tx);
    }
    out.push_back(std::move(a));
  }
  return items->size();
}

RtResult<std::vector<std::string>> rt_ticket_ids(const nlohmann::json& answer) {
  auto items = answer.find("items");
  if (items == answer.end() || !items->is_array()) {
    return tl::unexpected(rt_failure(true, 200, "RT's ticket search has no items"));
  }
  std::vector<std::string> out;
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    auto id = id_text(item.value("id", nlohmann::json()));
    if (valid_rt_ticket_id(id)) out.push_back(id);
  }
  return out;
}

bool valid_rt_ticket_id(std::string_view id) {
  return !id.empty() && id.size() <= 18 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         id.front() != '0';
}

}  // namespace triage::collector
