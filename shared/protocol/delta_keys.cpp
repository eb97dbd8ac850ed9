#include "shared/protocol/delta_keys.hpp"

#include <map>
#include <mutex>

#include "triage/v1/snapshot.pb.h"

namespace triage::protocol::detail {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

void append_part(std::string& out, std::string_view part) {
  const auto n = static_cast<std::uint32_t>(part.size());
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(part);
}

}  // namespace

const std::vector<const FieldDescriptor*>& key_fields(const Descriptor* d) {
  // Asked once per element and path step: the last answer per thread skips the lock.
  thread_local const Descriptor* last = nullptr;
  thread_local const std::vector<const FieldDescriptor*>* last_keys = nullptr;
  if (d == last) return *last_keys;
  static std::mutex mu;
  static std::map<const Descriptor*, std::vector<const FieldDescriptor*>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(d);
  if (it != cache.end()) {
    last = d;
    last_keys = &it->second;
    return it->second;
  }
  std::vector<const FieldDescriptor*> keys;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->options().GetExtension(v1::key)) keys.push_back(d->field(i));
  }
  last = d;
  last_keys = &cache.emplace(d, std::move(keys)).first->second;
  return *last_keys;
}

bool is_keyed(const FieldDescriptor* f) {
  return f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         !key_fields(f->message_type()).empty();
}

bool is_submessage(const FieldDescriptor* f) {
  return !f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
}

std::string scalar_text(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return std::to_string(r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(m, f) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnum(m, f)->name();
    default:
      return m.GetReflection()->HasField(m, f) ? "set" : "";
  }
}

std::string key_text(const Message& element) {
  std::string out;
  append_key_text(element, out);
  return out;
}

void append_key_text(const Message& element, std::string& out) {
  append_key_text(element, *element.GetReflection(), key_fields(element.GetDescriptor()), out);
}

void append_key_text(const Message& element, const Reflection& r,
                     const std::vector<const FieldDescriptor*>& keys, std::string& out) {
  std::string scratch;
  for (const auto* f : keys) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !f->is_repeated()) {
      append_part(out, r.GetStringReference(element, f, &scratch));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM && !f->is_repeated()) {
      append_part(out, r.GetEnum(element, f)->name());  // as scalar_text(), without a copy
    } else {
      append_part(out, scalar_text(element, f));
    }
  }
}

std::string key_text(const google::protobuf::RepeatedPtrField<std::string>& parts) {
  std::string out;
  append_key_text(parts, out);
  return out;
}

void append_key_text(const google::protobuf::RepeatedPtrField<std::string>& parts,
                     std::string& out) {
  for (const auto& part : parts) append_part(out, part);
}

}  // namespace triage::protocol::detail
