#pragma once
// The stable keys of list elements, shared by diffing and applying deltas (delta.hpp): which
// fields form an element's key (the (key) field option in snapshot.proto), and their text.

#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/repeated_field.h>

namespace triage::protocol::detail {

/// The key fields of `d`, in field order (cached; safe from any thread).
const std::vector<const google::protobuf::FieldDescriptor*>& key_fields(
    const google::protobuf::Descriptor* d);

/// A repeated message field whose elements have a key.
bool is_keyed(const google::protobuf::FieldDescriptor* f);
/// A singular message field.
bool is_submessage(const google::protobuf::FieldDescriptor* f);

/// A field's value as the text a PathStep key carries ("bash", "42", "DPKG").
std::string scalar_text(const google::protobuf::Message& m,
                        const google::protobuf::FieldDescriptor* f);

/// One string for an element's whole key, unambiguous (each part length-prefixed), for hash
/// lookups: key_text(element) == key_text(step.key()) when the step addresses that element.
std::string key_text(const google::protobuf::Message& element);
std::string key_text(const google::protobuf::RepeatedPtrField<std::string>& parts);
/// The same, appended to `out` (hot loops reuse one buffer).
void append_key_text(const google::protobuf::Message& element, std::string& out);
/// The same with the element type's reflection and key_fields() at hand (the elements of a list
/// share them: looked up once per list, not per element).
void append_key_text(const google::protobuf::Message& element,
                     const google::protobuf::Reflection& reflection,
                     const std::vector<const google::protobuf::FieldDescriptor*>& keys,
                     std::string& out);
void append_key_text(const google::protobuf::RepeatedPtrField<std::string>& parts,
                     std::string& out);

}  // namespace triage::protocol::detail
