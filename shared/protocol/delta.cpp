#include "shared/protocol/delta.hpp"

#include "shared/protocol/delta_keys.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <optional>

namespace triage::protocol {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::util::MessageDifferencer;
using Key = std::vector<std::string>;
using detail::is_keyed;
using detail::is_submessage;
using detail::key_fields;
using detail::scalar_text;

// Snapshot fields carried whole in the Delta rather than diffed.
constexpr int kSchemaVersion = v1::Snapshot::kSchemaVersionFieldNumber;
constexpr int kCollectedAt = v1::Snapshot::kCollectedAtUnixMsFieldNumber;
constexpr int kCollectors = v1::Snapshot::kCollectorsFieldNumber;

bool is_meta(const Message& m, const FieldDescriptor* f) {
  return m.GetDescriptor() == v1::Snapshot::descriptor() &&
         (f->number() == kSchemaVersion || f->number() == kCollectedAt ||
          f->number() == kCollectors);
}

Key key_of(const Message& m) {
  Key k;
  for (const auto* f : key_fields(m.GetDescriptor())) k.push_back(scalar_text(m, f));
  return k;
}

/// Keys of a repeated field in order; nullopt when two elements share a key.
std::optional<std::vector<Key>> keys_of(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  std::vector<Key> keys;
  std::map<Key, int> seen;
  for (int i = 0; i < r->FieldSize(m, f); ++i) {
    keys.push_back(key_of(r->GetRepeatedMessage(m, f, i)));
    if (!seen.emplace(keys.back(), i).second) return std::nullopt;
  }
  return keys;
}

bool repeated_equal(const Message& a, const Message& b, const FieldDescriptor* f, int i) {
  const Reflection* r = a.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageDifferencer::Equals(r->GetRepeatedMessage(a, f, i),
                                        r->GetRepeatedMessage(b, f, i));
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetRepeatedString(a, f, i) == r->GetRepeatedString(b, f, i);
    case FieldDescriptor::CPPTYPE_INT32:
      return r->GetRepeatedInt32(a, f, i) == r->GetRepeatedInt32(b, f, i);
    case FieldDescriptor::CPPTYPE_INT64:
      return r->GetRepeatedInt64(a, f, i) == r->GetRepeatedInt64(b, f, i);
    case FieldDescriptor::CPPTYPE_UINT32:
      return r->GetRepeatedUInt32(a, f, i) == r->GetRepeatedUInt32(b, f, i);
    case FieldDescriptor::CPPTYPE_UINT64:
      return r->GetRepeatedUInt64(a, f, i) == r->GetRepeatedUInt64(b, f, i);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return r->GetRepeatedDouble(a, f, i) == r->GetRepeatedDouble(b, f, i);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return r->GetRepeatedFloat(a, f, i) == r->GetRepeatedFloat(b, f, i);
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetRepeatedBool(a, f, i) == r->GetRepeatedBool(b, f, i);
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetRepeatedEnumValue(a, f, i) == r->GetRepeatedEnumValue(b, f, i);
  }
  return false;
}

bool field_equal(const Message& a, const Message& b, const FieldDescriptor* f) {
  const Reflection* r = a.GetReflection();
  if (f->is_repeated()) {
    int n = r->FieldSize(a, f);
    if (n != r->FieldSize(b, f)) return false;
    for (int i = 0; i < n; ++i) {
      if (!repeated_equal(a, b, f, i)) return false;
    }
    return true;
  }
  if (f->has_presence() && r->HasField(a, f) != r->HasField(b, f)) return false;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return r->GetDouble(a, f) == r->GetDouble(b, f);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return r->GetFloat(a, f) == r->GetFloat(b, f);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageDifferencer::Equals(r->GetMessage(a, f), r->GetMessage(b, f));
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnumValue(a, f) == r->GetEnumValue(b, f);
    default:
      return scalar_text(a, f) == scalar_text(b, f);
  }
}

v1::PathStep step(const FieldDescriptor* f, const Key* key = nullptr) {
  v1::PathStep s;
  s.set_field(static_cast<std::uint32_t>(f->number()));
  s.set_name(f->name());
  if (key) {
    s.set_has_key(true);
    for (const auto& k : *key) s.add_key(k);
  }
  return s;
}

v1::Change& add_change(v1::Delta& delta, const std::vector<v1::PathStep>& path,
                       v1::Change::Kind kind) {
  auto* c = delta.add_changes();
  for (const auto& s : path) *c->add_path() = s;
  c->set_kind(kind);
  return *c;
}

void diff_message(const Message& a, const Message& b, std::vector<v1::PathStep>& path,
                  v1::Delta& delta) {
  const Descriptor* d = b.GetDescriptor();
  const Reflection* r = b.GetReflection();
  std::vector<const FieldDescriptor*> plain_changed;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (is_meta(b, f)) continue;
    if (is_submessage(f)) {
      bool ha = r->HasField(a, f), hb = r->HasField(b, f);
      if (!ha && !hb) continue;
      path.push_back(step(f));
      if (ha && !hb) {
        add_change(delta, path, v1::Change::REMOVED);
      } else if (!ha) {
        add_change(delta, path, v1::Change::ADDED)
            .set_value(r->GetMessage(b, f).SerializeAsString());
      } else if (!MessageDifferencer::Equals(r->GetMessage(a, f), r->GetMessage(b, f))) {
        diff_message(r->GetMessage(a, f), r->GetMessage(b, f), path, delta);
      }
      path.pop_back();
      continue;
    }
    if (is_keyed(f)) {
      auto ka = keys_of(a, f), kb = keys_of(b, f);
      if (ka && kb) {
        std::map<Key, int> ia, ib;
        for (int j = 0; j < static_cast<int>(ka->size()); ++j)
          ia[(*ka)[static_cast<std::size_t>(j)]] = j;
        for (int j = 0; j < static_cast<int>(kb->size()); ++j)
          ib[(*kb)[static_cast<std::size_t>(j)]] = j;
        std::vector<Key> order_after;
        for (const auto& k : *ka) {
          if (ib.contains(k)) {
            order_after.push_back(k);
            continue;
          }
          path.push_back(step(f, &k));
          add_change(delta, path, v1::Change::REMOVED);
          path.pop_back();
        }
        for (const auto& k : *kb) {
          const Message& eb = r->GetRepeatedMessage(b, f, ib[k]);
          path.push_back(step(f, &k));
          auto found = ia.find(k);
          if (found == ia.end()) {
            add_change(delta, path, v1::Change::ADDED).set_value(eb.SerializeAsString());
            order_after.push_back(k);
          } else {
            const Message& ea = a.GetReflection()->GetRepeatedMessage(a, f, found->second);
            if (!MessageDifferencer::Equals(ea, eb)) diff_message(ea, eb, path, delta);
          }
          path.pop_back();
        }
        if (order_after != *kb) {
          path.push_back(step(f));
          auto& c = add_change(delta, path, v1::Change::REORDERED);
          for (const auto& k : *kb) {
            auto* t = c.add_order();
            for (const auto& part : k) t->add_key(part);
          }
          path.pop_back();
        }
        continue;
      }
      // Duplicate keys: fall through and replace the list whole.
    }
    if (!field_equal(a, b, f)) plain_changed.push_back(f);
  }
  if (plain_changed.empty()) return;
  std::unique_ptr<Message> value(b.New());
  auto& c = add_change(delta, path, v1::Change::CHANGED);
  for (const auto* f : plain_changed) {
    c.add_fields(f->name());
    c.add_field_numbers(static_cast<std::uint32_t>(f->number()));
  }
  value->CopyFrom(b);
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (std::find(plain_changed.begin(), plain_changed.end(), f) == plain_changed.end()) {
      value->GetReflection()->ClearField(value.get(), f);
    }
  }
  c.set_value(value->SerializeAsString());
}

bool same_collectors(const v1::Snapshot& a, const v1::Snapshot& b) {
  if (a.collectors_size() != b.collectors_size()) return false;
  for (int i = 0; i < a.collectors_size(); ++i) {
    if (!MessageDifferencer::Equals(a.collectors(i), b.collectors(i))) return false;
  }
  return true;
}

}  // namespace

v1::Delta diff_snapshots(const v1::Snapshot& old_snap, const v1::Snapshot& new_snap) {
  v1::Delta delta;
  delta.set_schema_version(new_snap.schema_version());
  delta.set_collected_at_unix_ms(new_snap.collected_at_unix_ms());
  delta.set_base_collected_at_unix_ms(old_snap.collected_at_unix_ms());
  // Unchanged collector statuses are left out: an empty list means "as in the base".
  if (!same_collectors(old_snap, new_snap)) {
    if (new_snap.collectors_size() > 0) {
      *delta.mutable_collectors() = new_snap.collectors();
    } else {
      auto* change = delta.add_changes();
      change->set_kind(v1::Change::REMOVED);
      change->add_path()->set_field(static_cast<std::uint32_t>(kCollectors));
      change->mutable_path(0)->set_name("collectors");
    }
  }
  std::vector<v1::PathStep> path;
  diff_message(old_snap, new_snap, path, delta);
  return delta;
}

bool delta_is_empty(const v1::Delta& delta) { return delta.changes_size() == 0; }

std::string describe_path(const v1::Change& change) {
  std::string out;
  for (const auto& s : change.path()) {
    if (!out.empty()) out += '.';
    out += s.name().empty() ? std::to_string(s.field()) : s.name();
    if (s.has_key()) {
      out += '[';
      for (int i = 0; i < s.key_size(); ++i) out += (i ? "/" : "") + s.key(i);
      out += ']';
    }
  }
  return out.empty() ? "(snapshot)" : out;
}

}  // namespace triage::protocol
