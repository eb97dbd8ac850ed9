#include "agent/actions/user_notice.hpp"

namespace triage::agent {

namespace {

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

std::string notice_text(const v1::OrderPayload& order, std::chrono::seconds delay) {
  return "\r\n\a*** Message from triage-agent: a support action (" +
         printable(order.action_id(), 64) + ", ordered by " + printable(order.requested_by(), 64) +
         ") will run on this computer in " + std::to_string(delay.count()) +
         " s. Please save your work. ***\r\n";
}

}  // namespace triage::agent
