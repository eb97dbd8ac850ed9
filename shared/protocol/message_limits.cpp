#include "shared/protocol/message_limits.hpp"

#include <map>
#include <mutex>
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

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

/// Whether a message of type `d` can hold elements other than its unknown fields: it has a
/// repeated field, a message field or extensions. Most list elements (packages, units,
/// addresses) cannot, and counting them needs no reflection over their fields.
bool holds_elements(const Descriptor* d) {
  // Asked once per message: the last answer per thread skips the lock.
  thread_local const Descriptor* last = nullptr;
  thread_local bool last_answer = false;
  if (d == last) return last_answer;
  static std::mutex mu;
  static std::map<const Descriptor*, bool> cache;
  std::lock_guard lock(mu);
  auto [it, fresh] = cache.try_emplace(d, false);
  if (fresh) {
    it->second = d->extension_range_count() > 0;
    for (int i = 0; i < d->field_count(); ++i) {
      const auto* f = d->field(i);
      it->second |= f->is_repeated() || f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    }
  }
  last = d;
  last_answer = it->second;
  return last_answer;
}

}  // namespace

std::uint32_t element_limit(const google::protobuf::FieldDescriptor* field) {
  for (const auto& [name, limit] : kFieldLimits) {
    if (field->full_name() == name) return limit;
  }
  return kDefaultFieldElements;
}

std::uint64_t count_elements(const google::protobuf::Message& message, std::uint64_t stop_after) {
  const auto* r = message.GetReflection();
  std::uint64_t n = r->GetUnknownFields(message).field_count();
  if (!holds_elements(message.GetDescriptor())) return n;
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  for (const auto* f : fields) {
    if (n > stop_after) break;
    if (f->is_repeated()) {
      const int size = r->FieldSize(message, f);
      n += static_cast<std::uint64_t>(size);
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      if (!holds_elements(f->message_type())) {
        // Elements without lists (packages...): only their unknown fields count, read through
        // the one reflection they share.
        const google::protobuf::Reflection* er = nullptr;
        for (int i = 0; i < size && n <= stop_after; ++i) {
          const auto& element = r->GetRepeatedMessage(message, f, i);
          if (!er) er = element.GetReflection();
          n += static_cast<std::uint64_t>(er->GetUnknownFields(element).field_count());
        }
        continue;
      }
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
