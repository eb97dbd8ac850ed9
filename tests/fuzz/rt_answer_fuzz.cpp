// What a Request Tracker answers (collector/integrations/rt/rt_answers.cpp): status and body
// read as JSON of the expected shape, then each call's reading of it (created ticket id,
// status, attachment page, search results). Input: a byte choosing the status class, then
// the body.

#include "collector/integrations/rt/rt_answers.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const auto selector = in.byte();
  const int status = selector & 0x80 ? 100 + (selector & 0x7f) * 4 : 200;
  const bool want_array = selector & 1;
  auto answer = collector::read_rt_answer(status, in.rest(), want_array);
  if (!answer || want_array) return 0;
  (void)collector::rt_created_ticket_id(*answer);
  (void)collector::rt_ticket_status(*answer);
  std::vector<collector::RtAttachmentInfo> attachments;
  (void)collector::rt_attachment_page(*answer, attachments);
  (void)collector::rt_ticket_ids(*answer);
  return 0;
}
