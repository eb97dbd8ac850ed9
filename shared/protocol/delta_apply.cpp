// apply_delta: changes addressed by key, found through an index built once per list and kept
// up to date by the changes themselves, so a delta costs O(changes + list sizes), never
// changes x list size (a reordering of a 200k list used to take minutes on the ingest writer).

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "shared/protocol/delta.hpp"
#include "shared/protocol/delta_keys.hpp"
#include "shared/protocol/key_table.hpp"
#include "shared/protocol/message_limits.hpp"

namespace triage::protocol {
namespace {

using detail::is_keyed;
using detail::is_submessage;
using detail::key_text;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kCollectors = v1::Snapshot::kCollectorsFieldNumber;

/// A message's field: the unit in which contents are replaced and lists are indexed.
using Slot = std::pair<const Message*, int>;
/// The slots walked from the root down to (and including) a list's own.
using Ancestry = std::vector<Slot>;

/// One keyed list: where each key is, which elements were removed but not yet compacted away.
struct ListIndex {
  Ancestry ancestry;
  std::uint64_t built = 0;     ///< the epoch it was built in
  std::uint32_t limit = 0;     ///< element_limit() of the field
  detail::KeyTable first;      ///< key -> first live position
  std::vector<int> next_same;  ///< position -> next one with its key, or -1
  std::vector<char> dead;
  int dead_count = 0;
  bool duplicates = false;
};

/// Applies the changes of one delta to one snapshot, in order.
class Applier {
 public:
  explicit Applier(Message& root) : root_(root), root_type_(root.GetDescriptor()) {}

  Result<void> apply(const v1::Change& change);
  /// Compacts the removed elements away; call once after the last change.
  void finish();
  /// The field's contents were replaced (or cleared): indexes below it are stale. Only
  /// message fields can hold lists.
  void replaced(const Message* m, const FieldDescriptor* f) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE)
      replaced_slot_[{m, f->number()}] = ++epoch_;
  }

 private:
  void replaced(const Message* m) {
    if (holds_messages(m->GetDescriptor())) replaced_message_[m] = ++epoch_;
  }
  static bool holds_messages(const google::protobuf::Descriptor* d) {
    for (int i = 0; i < d->field_count(); ++i) {
      if (d->field(i)->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) return true;
    }
    return false;
  }
  /// The reflection of `m`, whose type is `type`: one per type, looked up once (each
  /// GetReflection() call runs protobuf's call_once).
  const Reflection* reflection_of(const Message& m, const google::protobuf::Descriptor* type) {
    for (const auto& [known, r] : reflections_) {
      if (known == type) return r;
    }
    return reflections_.emplace_back(type, m.GetReflection()).second;
  }
  /// A message of type `like`'s (`type`), empty, reused across changes.
  Message& scratch(const Message& like, const google::protobuf::Descriptor* type) {
    auto& slot = scratch_[type];
    if (!slot) slot.reset(like.New());
    slot->Clear();
    return *slot;
  }
  bool stale(const ListIndex& index, const Ancestry& ancestry) const;
  ListIndex& index(Message& parent, const FieldDescriptor* f, const Ancestry& ancestry);
  void build(ListIndex& index, const Message& parent, const FieldDescriptor* f) const;
  void compact(Message& parent, const FieldDescriptor* f, ListIndex& index);
  /// The live position of `key` in the list, or -1.
  static int find(ListIndex& index, std::string_view key) {
    const int* at = index.first.find(key);
    return at ? *at : -1;
  }
  Result<void> reorder(Message& m, const FieldDescriptor* f, const Ancestry& ancestry,
                       const v1::Change& change);

  struct SlotHash {
    std::size_t operator()(const Slot& s) const {
      return std::hash<const void*>()(s.first) * 31 + static_cast<std::size_t>(s.second);
    }
  };

  Message& root_;
  const google::protobuf::Descriptor* root_type_;
  std::vector<std::pair<const google::protobuf::Descriptor*, const Reflection*>> reflections_;
  std::uint64_t epoch_ = 0;
  std::unordered_map<Slot, ListIndex, SlotHash> lists_;
  std::unordered_map<Slot, std::uint64_t, SlotHash> replaced_slot_;
  std::unordered_map<const Message*, std::uint64_t> replaced_message_;
  std::unordered_map<const google::protobuf::Descriptor*, std::unique_ptr<Message>> scratch_;
  // Reused by every change, so that a change allocates nothing of its own.
  Ancestry ancestry_;
  std::string key_;
  std::vector<const FieldDescriptor*> set_fields_;
};

bool Applier::stale(const ListIndex& index, const Ancestry& ancestry) const {
  if (index.ancestry != ancestry) return true;
  for (const auto& slot : ancestry) {
    if (auto it = replaced_slot_.find(slot); it != replaced_slot_.end() && it->second > index.built)
      return true;
    if (auto it = replaced_message_.find(slot.first);
        it != replaced_message_.end() && it->second > index.built)
      return true;
  }
  return false;
}

void Applier::build(ListIndex& index, const Message& parent, const FieldDescriptor* f) const {
  const Reflection* r = parent.GetReflection();
  const int n = r->FieldSize(parent, f);
  index.built = epoch_;
  index.limit = element_limit(f);
  index.first = detail::KeyTable(static_cast<std::size_t>(n));
  index.next_same.assign(static_cast<std::size_t>(n), -1);
  index.dead.assign(static_cast<std::size_t>(n), 0);
  index.dead_count = 0;
  index.duplicates = false;
  // Not key_: a caller may be holding the key it looks up there.
  std::string key;
  const auto& key_fields = detail::key_fields(f->message_type());
  const Reflection* element_reflection = nullptr;  // the same for every element
  // Backwards, so that each key ends at its first position with the later ones chained.
  for (int i = n - 1; i >= 0; --i) {
    const Message& element = r->GetRepeatedMessage(parent, f, i);
    if (!element_reflection) element_reflection = element.GetReflection();
    key.clear();
    detail::append_key_text(element, *element_reflection, key_fields, key);
    auto [at, fresh] = index.first.try_emplace(key, i);
    if (!fresh) {
      index.next_same[static_cast<std::size_t>(i)] = *at;
      *at = i;
      index.duplicates = true;
    }
  }
}

ListIndex& Applier::index(Message& parent, const FieldDescriptor* f, const Ancestry& ancestry) {
  auto [it, fresh] = lists_.try_emplace(Slot{&parent, f->number()});
  if (fresh || stale(it->second, ancestry)) {
    it->second.ancestry = ancestry;
    build(it->second, parent, f);
  }
  return it->second;
}

void Applier::compact(Message& parent, const FieldDescriptor* f, ListIndex& index) {
  if (index.dead_count == 0) return;
  const Reflection* r = parent.GetReflection();
  const int n = r->FieldSize(parent, f);
  std::vector<int> moved_to(static_cast<std::size_t>(n), -1);
  int w = 0;
  for (int i = 0; i < n; ++i) {
    if (index.dead[static_cast<std::size_t>(i)]) continue;
    if (i != w) r->SwapElements(&parent, f, i, w);
    moved_to[static_cast<std::size_t>(i)] = w++;
  }
  for (int i = w; i < n; ++i) r->RemoveLast(&parent, f);
  std::vector<int> next_same(static_cast<std::size_t>(w), -1);
  for (int i = 0; i < n; ++i) {
    const int to = moved_to[static_cast<std::size_t>(i)];
    const int next = index.next_same[static_cast<std::size_t>(i)];
    if (to >= 0 && next >= 0) next_same[static_cast<std::size_t>(to)] = moved_to[next];
  }
  index.first.for_each_value([&](int& pos) { pos = moved_to[static_cast<std::size_t>(pos)]; });
  index.next_same = std::move(next_same);
  index.dead.assign(static_cast<std::size_t>(w), 0);
  index.dead_count = 0;
}

Result<void> Applier::reorder(Message& m, const FieldDescriptor* f, const Ancestry& ancestry,
                              const v1::Change& change) {
  if (!is_keyed(f)) return fail("delta reorders an unkeyed field: " + describe_path(change));
  ListIndex& list = index(m, f, ancestry);
  compact(m, f, list);
  const Reflection* r = m.GetReflection();
  const int n = r->FieldSize(m, f);
  if (list.duplicates) {
    return fail("delta reorders a list whose keys are not unique: " + describe_path(change));
  }
  if (change.order_size() != n) {
    return fail("delta reorders " + std::to_string(change.order_size()) +
                " elements of a list of " + std::to_string(n) + ": " + describe_path(change));
  }
  // source[i]: the current position of the element that goes to position i; entry[i]: its
  // position in the index, updated once it has moved (no key looked up twice).
  std::vector<int> source(static_cast<std::size_t>(n));
  std::vector<int*> entry(static_cast<std::size_t>(n));
  std::vector<char> taken(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    key_.clear();
    detail::append_key_text(change.order(i).key(), key_);
    int* found = list.first.find(key_);  // valid until the table changes: it does not below
    if (!found) return fail("delta reorders a missing element: " + describe_path(change));
    const int at = *found;
    if (taken[static_cast<std::size_t>(at)]++) {
      return fail("delta names an element twice in a new order: " + describe_path(change));
    }
    source[static_cast<std::size_t>(i)] = at;
    entry[static_cast<std::size_t>(i)] = found;
  }
  // Each swap puts one element in its final place: n swaps at most. The elements move by
  // pointer, never copied.
  std::vector<int> position_of(static_cast<std::size_t>(n));  // original position -> current
  std::vector<int> original_at(static_cast<std::size_t>(n));  // current position -> original
  for (int i = 0; i < n; ++i) {
    position_of[static_cast<std::size_t>(i)] = original_at[static_cast<std::size_t>(i)] = i;
  }
  for (int i = 0; i < n; ++i) {
    const int from = position_of[static_cast<std::size_t>(source[static_cast<std::size_t>(i)])];
    if (from == i) continue;
    r->SwapElements(&m, f, i, from);
    const int displaced = original_at[static_cast<std::size_t>(i)];
    original_at[static_cast<std::size_t>(from)] = displaced;
    position_of[static_cast<std::size_t>(displaced)] = from;
    original_at[static_cast<std::size_t>(i)] = source[static_cast<std::size_t>(i)];
    position_of[static_cast<std::size_t>(source[static_cast<std::size_t>(i)])] = i;
  }
  for (int i = 0; i < n; ++i) *entry[static_cast<std::size_t>(i)] = i;
  return {};
}

Result<void> Applier::apply(const v1::Change& change) {
  Message* m = &root_;
  const google::protobuf::Descriptor* type = root_type_;  // m's
  const auto& path = change.path();
  const bool targets_element =
      change.kind() == v1::Change::ADDED || change.kind() == v1::Change::REMOVED;
  const int walk = change.kind() == v1::Change::CHANGED ? path.size() : path.size() - 1;
  if (walk < 0) return fail("delta change without a path");
  Ancestry& ancestry = ancestry_;
  ancestry.clear();
  for (int i = 0; i < walk; ++i) {
    const auto& s = path[i];
    const FieldDescriptor* f = type->FindFieldByNumber(static_cast<int>(s.field()));
    if (!f || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE)
      return fail("delta path names no message field: " + describe_path(change));
    ancestry.emplace_back(m, f->number());
    if (s.has_key()) {
      if (!is_keyed(f)) return fail("delta path keys an unkeyed field: " + describe_path(change));
      key_.clear();
      detail::append_key_text(s.key(), key_);
      const int idx = find(index(*m, f, ancestry), key_);
      if (idx < 0) return fail("delta addresses a missing element: " + describe_path(change));
      m = reflection_of(*m, type)->MutableRepeatedMessage(m, f, idx);
    } else {
      if (f->is_repeated())
        return fail("delta path steps into a list without a key: " + describe_path(change));
      m = reflection_of(*m, type)->MutableMessage(m, f);
    }
    type = f->message_type();
  }
  const Reflection* r = reflection_of(*m, type);
  if (change.kind() == v1::Change::CHANGED) {
    Message& value = scratch(*m, type);
    if (!value.ParseFromString(change.value()))
      return fail("delta value does not parse: " + describe_path(change));
    // Only the fields it names: anything else would change lists (and keys) behind the indexes.
    set_fields_.clear();
    r->ListFields(value, &set_fields_);  // value is of m's type
    for (const auto* f : set_fields_) {
      const auto& numbers = change.field_numbers();
      if (std::find(numbers.begin(), numbers.end(), static_cast<std::uint32_t>(f->number())) ==
          numbers.end()) {
        return fail("delta value sets field " + f->name() +
                    " it does not name: " + describe_path(change));
      }
    }
    // An element's key may not change (its list's index holds it).
    bool touches_key = false;
    if (walk > 0 && path[walk - 1].has_key()) {
      for (const auto* k : detail::key_fields(type)) {
        const auto& numbers = change.field_numbers();
        touches_key |= std::find(numbers.begin(), numbers.end(),
                                 static_cast<std::uint32_t>(k->number())) != numbers.end();
      }
    }
    const std::string key_before = touches_key ? key_text(*m) : "";
    for (auto number : change.field_numbers()) {
      if (const auto* f = type->FindFieldByNumber(static_cast<int>(number))) {
        r->ClearField(m, f);
        replaced(m, f);
      }
    }
    m->MergeFrom(value);
    if (touches_key && key_text(*m) != key_before)
      return fail("delta changes the key of an element: " + describe_path(change));
    return {};
  }
  const auto& last = path[path.size() - 1];
  const FieldDescriptor* f = type->FindFieldByNumber(static_cast<int>(last.field()));
  if (!f) return fail("delta names an unknown field: " + describe_path(change));
  ancestry.emplace_back(m, f->number());
  if (change.kind() == v1::Change::REORDERED) return reorder(*m, f, ancestry, change);
  if (!targets_element) return fail("delta change of unknown kind");
  if (!last.has_key()) {
    if (!is_submessage(f))
      return fail("delta adds/removes a non-message field: " + describe_path(change));
    replaced(m, f);
    if (change.kind() == v1::Change::REMOVED) {
      r->ClearField(m, f);
    } else {
      Message* sub = r->MutableMessage(m, f);
      sub->Clear();
      if (!sub->ParseFromString(change.value()))
        return fail("delta value does not parse: " + describe_path(change));
    }
    return {};
  }
  if (!is_keyed(f))
    return fail("delta adds/removes by key in an unkeyed field: " + describe_path(change));
  ListIndex& list = index(*m, f, ancestry);
  key_.clear();
  detail::append_key_text(last.key(), key_);
  const std::string& key = key_;
  int* found = list.first.find(key);
  const int idx = found ? *found : -1;
  if (change.kind() == v1::Change::REMOVED) {
    if (idx < 0) return fail("delta removes a missing element: " + describe_path(change));
    replaced(&r->GetRepeatedMessage(*m, f, idx));
    list.dead[static_cast<std::size_t>(idx)] = 1;
    ++list.dead_count;
    const int next = list.next_same[static_cast<std::size_t>(idx)];
    if (next >= 0) {
      *found = next;
    } else {
      list.first.erase(found);
    }
    return {};
  }
  Message* element = nullptr;
  if (idx >= 0) {
    element = r->MutableRepeatedMessage(m, f, idx);
  } else {
    const int live = r->FieldSize(*m, f) - list.dead_count;
    if (live >= static_cast<int>(list.limit)) {
      return fail("delta grows a list past " + std::to_string(list.limit) +
                  " elements (the limit per device state): " + describe_path(change));
    }
    element = r->AddMessage(m, f);
    list.first.try_emplace(key, r->FieldSize(*m, f) - 1);
    list.next_same.push_back(-1);
    list.dead.push_back(0);
  }
  // The element's contents are new (AddMessage may hand back a cleared, reused one).
  replaced(element);
  element->Clear();
  if (!element->ParseFromString(change.value()))
    return fail("delta value does not parse: " + describe_path(change));
  if (key_text(*element) != key)
    return fail("delta value's key does not match its path: " + describe_path(change));
  return {};
}

void Applier::finish() {
  // A list whose contents were replaced after its removals has nothing left to compact.
  for (auto& [slot, list] : lists_) {
    if (list.dead_count == 0 || stale(list, list.ancestry)) continue;
    auto* parent = const_cast<Message*>(slot.first);
    compact(*parent, parent->GetDescriptor()->FindFieldByNumber(slot.second), list);
  }
}

/// The one change that touches the collector statuses: all of them gone (an empty list in the
/// Delta means "as in the base").
bool is_collectors_removal(const v1::Change& change) {
  return change.kind() == v1::Change::REMOVED && change.path_size() == 1 &&
         change.path(0).field() == static_cast<std::uint32_t>(kCollectors) &&
         !change.path(0).has_key();
}

}  // namespace

Result<v1::Snapshot> apply_delta(const v1::Snapshot& base, const v1::Delta& delta) {
  v1::Snapshot out = base;
  if (auto r = apply_delta_in_place(out, delta); !r) return tl::unexpected(r.error());
  return out;
}

Result<void> apply_delta_in_place(v1::Snapshot& out, const v1::Delta& delta) {
  Applier applier(out);
  for (const auto& change : delta.changes()) {
    if (is_collectors_removal(change)) {
      out.clear_collectors();
      applier.replaced(&out, v1::Snapshot::descriptor()->FindFieldByNumber(kCollectors));
      continue;
    }
    if (auto r = applier.apply(change); !r) return tl::unexpected(r.error());
  }
  applier.finish();
  out.set_schema_version(delta.schema_version());
  out.set_collected_at_unix_ms(delta.collected_at_unix_ms());
  if (delta.collectors_size() > 0) *out.mutable_collectors() = delta.collectors();
  return {};
}

}  // namespace triage::protocol
