#include "shared/protocol/message_limits.hpp"

#include <string_view>
#include <utility>

namespace triage::protocol {

namespace {

// Lists that may legitimately run long; every other repeated field gets kDefaultFieldElements.
// A delta naming every element of a 100k list reorders it with 100k key tuples of up to
// three parts each.
constexpr std::pair<std::string_view, std::uint32_t> kFieldLimits[] = {
    {"triage.v1.SoftwareInfo.packages", 100'000}, {"triage.v1.Updates.pending", 100'000},
    {"triage.v1.Delta.changes", 100'000},         {"triage.v1.Change.path", 300'000},
    {"triage.v1.PathStep.key", 300'000},          {"triage.v1.Change.order", 100'000},
    {"triage.v1.KeyTuple.key", 300'000},          {"triage.v1.Change.fields", 300'000},
    {"triage.v1.Change.field_numbers", 300'000},
};

}  // namespace

std::uint32_t element_limit(const google::protobuf::FieldDescriptor* field) {
  for (const auto& [name, limit] : kFieldLimits) {
    if (field->full_name() == name) return limit;
  }
  return kDefaultFieldElements;
}

}  // namespace triage::protocol
