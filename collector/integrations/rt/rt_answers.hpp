#pragma once
// Reading Request Tracker 5 REST2 answers: pure functions over a response's status and body,
// so what a hostile or broken RT sends is checked in one place (and fuzzed) without a socket.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::collector {

/// One failed call: whether trying again later can help, and what RT said.
struct RtFailure {
  bool retry = true;
  int http_status = 0;  ///< 0: no HTTP answer
  std::string detail;   ///< printable, bounded
};

template <typename T>
using RtResult = tl::expected<T, RtFailure>;

struct RtAttachmentInfo {
  std::int64_t id = 0;
  std::string filename;
  std::string subject;
  std::int64_t transaction_id = 0;
};

/// A failure whose detail is reduced to at most 200 printable ASCII bytes.
RtFailure rt_failure(bool retry, int status, std::string_view detail);

/// Whether a call that got this HTTP status can succeed when sent again: 4xx other than
/// 401/403/404/408/429 cannot.
bool rt_retryable_status(int status);

/// The JSON of an answer: a 2xx status and a body that is a JSON object (an array when
/// `want_array`); otherwise the failure naming what was wrong.
RtResult<nlohmann::json> read_rt_answer(int status, std::string_view body, bool want_array);

/// The id of the ticket a create answered ({"id": 12} or {"id": "12"}).
RtResult<std::string> rt_created_ticket_id(const nlohmann::json& answer);

/// A ticket's "Status" (a string of at most 64 bytes).
RtResult<std::string> rt_ticket_status(const nlohmann::json& answer);

/// Appends one page of a ticket's attachment list ({"items": [...]}) to `out`; the number of
/// items on the page (fewer than a page's size: the last page).
RtResult<std::size_t> rt_attachment_page(const nlohmann::json& answer,
                                         std::vector<RtAttachmentInfo>& out);

/// The valid ticket ids of a ticket search answer ({"items": [{"id": ...}, ...]}).
RtResult<std::vector<std::string>> rt_ticket_ids(const nlohmann::json& answer);

/// Whether `id` looks like an RT ticket id (1-18 digits).
bool valid_rt_ticket_id(std::string_view id);

}  // namespace triage::collector
