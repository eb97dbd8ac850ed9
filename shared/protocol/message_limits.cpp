#include "shared/protocol/message_limits.hpp"

#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>

namespace triage::protocol {

namespace {

// Lists that may legitimately run long; every other repeated field gets kDefaultFieldElements.
// Sized so that the costliest delta within them costs the ingest writer ≤ 50 ms (bench/delta,
// docs/PERFORMANCE.md): a reordering names every element of a list, with up to three key parts.
constexpr std::pair<std::string_view, std::uint32_t> kFieldLimits[] = {
    {"triage.v1.Delta.changes", 10'000}, {"triage.v1.Change.path", 30'000},
    {"triage.v1.PathStep.key", 60'000},  {"triage.v1.KeyTuple.key", 60'000},
    {"triage.v1.Change.fields", 30'000}, {"triage.v1.Change.field_numbers", 30'000},
};

}  // namespace

std::uint32_t element_limit(const google::protobuf::FieldDescriptor* field) {
  for (const auto& [name, limit] : kFieldLimits) {
    if (field->full_name() == name) return limit;
  }
  return kDefaultFieldElements;
}

std::uint64_t count_elements(const google::protobuf::Message& message, std::uint64_t stop_after) {
  using google::protobuf::FieldDescriptor;
  const auto* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  std::uint64_t n = r->GetUnknownFields(message).field_count();
  for (const auto* f : fields) {
    if (n > stop_after) break;
    if (f->is_repeated()) {
      const int size = r->FieldSize(message, f);
      n += static_cast<std::uint64_t>(size);
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      for (int i = 0; i < size && n <= stop_after; ++i) {
        n += count_elements(r->GetRepeatedMessage(message, f, i), stop_after - n);
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      n += count_elements(r->GetMessage(message, f), stop_after - n);
    }
  }
  return n;
}

}  // namespace triage::protocol
