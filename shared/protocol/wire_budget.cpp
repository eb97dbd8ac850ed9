#include "shared/protocol/wire_budget.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "shared/protocol/message_limits.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::protocol {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// As deep as the decoder lets a message nest (codec.cpp).
constexpr int kMaxDepth = 32;
// Field numbers above this are treated as unknown (the schema uses small ones).
constexpr int kMaxPlannedNumber = 1024;

struct MessagePlan;

struct FieldPlan {
  const FieldDescriptor* field = nullptr;
  const MessagePlan* message = nullptr;  ///< message-typed fields
  int slot = -1;                         ///< repeated fields: index of its counter
  std::uint32_t limit = 0;
  WireFormatLite::WireType wire = WireFormatLite::WIRETYPE_VARINT;  ///< unpacked encoding
  bool packable = false;  ///< a repeated number, bool or enum
  int fixed_size = 0;     ///< packed width of fixed-size numbers, 0 for varints
};

struct MessagePlan {
  std::vector<FieldPlan> by_number;
  const FieldPlan* find(int number) const {
    if (number <= 0 || number >= static_cast<int>(by_number.size())) return nullptr;
    const auto& f = by_number[static_cast<std::size_t>(number)];
    return f.field ? &f : nullptr;
  }
};

/// Every message reachable from AgentMessage, planned once.
struct Plans {
  std::unordered_map<const Descriptor*, std::unique_ptr<MessagePlan>> messages;
  std::vector<const FieldDescriptor*> slots;
  const MessagePlan* root = nullptr;

  const MessagePlan* plan(const Descriptor* d) {
    if (auto it = messages.find(d); it != messages.end()) return it->second.get();
    auto* out = messages.emplace(d, std::make_unique<MessagePlan>()).first->second.get();
    int top = 0;
    for (int i = 0; i < d->field_count(); ++i) {
      if (d->field(i)->number() <= kMaxPlannedNumber) top = std::max(top, d->field(i)->number());
    }
    out->by_number.resize(static_cast<std::size_t>(top) + 1);
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->number() > kMaxPlannedNumber) continue;
      FieldPlan p;
      p.field = f;
      p.wire =
          WireFormatLite::WireTypeForFieldType(static_cast<WireFormatLite::FieldType>(f->type()));
      if (f->is_repeated()) {
        p.slot = static_cast<int>(slots.size());
        slots.push_back(f);
        p.limit = element_limit(f);
        p.packable = f->is_packable();
        if (p.wire == WireFormatLite::WIRETYPE_FIXED32) p.fixed_size = 4;
        if (p.wire == WireFormatLite::WIRETYPE_FIXED64) p.fixed_size = 8;
      }
      out->by_number[static_cast<std::size_t>(f->number())] = p;
    }
    // Submessages after this one is in place, so recursive types terminate.
    for (auto& p : out->by_number) {
      if (p.field && p.field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        p.message = plan(p.field->message_type());
      }
    }
    return out;
  }
};

const Plans& agent_message_plans() {
  static const Plans plans = [] {
    Plans p;
    p.root = p.plan(v1::AgentMessage::descriptor());
    return p;
  }();
  return plans;
}

std::string short_name(const FieldDescriptor* f) {
  return f->containing_type()->name() + "." + f->name();
}

class Walk {
 public:
  Walk(std::string_view frame, const Plans& plans)
      : plans_(plans),
        in_(reinterpret_cast<const std::uint8_t*>(frame.data()), static_cast<int>(frame.size())),
        counts_(plans.slots.size(), 0) {}

  bool run(WireBudget& out) {
    bool ok = message(*plans_.root, 0);
    out.elements = total_;
    out.seq = seq_;
    out.body_field = body_field_;
    out.over_limit = std::move(over_);
    return ok;
  }

 private:
  /// False when the bytes are not a protobuf message; stops early (true) once over a limit.
  bool message(const MessagePlan& plan, int depth) {
    for (;;) {
      const std::uint32_t tag = in_.ReadTag();
      if (tag == 0) return in_.ConsumedEntireMessage();
      const int number = WireFormatLite::GetTagFieldNumber(tag);
      const auto wire = WireFormatLite::GetTagWireType(tag);
      if (wire == WireFormatLite::WIRETYPE_END_GROUP) return false;  // no group is open
      const FieldPlan* f = plan.find(number);
      if (depth == 0 && number == v1::AgentMessage::kSeqFieldNumber &&
          wire == WireFormatLite::WIRETYPE_VARINT) {
        if (!in_.ReadVarint64(&seq_)) return false;
        continue;
      }
      bool ok = true;
      if (!f) {
        ok = unknown(tag, depth);
      } else if (wire == f->wire) {
        if (f->slot >= 0) count(*f, 1);
        if (f->message) {
          if (depth == 0) body_field_ = number;
          ok = submessage(*f->message, depth);
        } else {
          ok = WireFormatLite::SkipField(&in_, tag);
        }
      } else if (f->packable && wire == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
        ok = packed(*f);
      } else {
        ok = unknown(tag, depth);  // the wrong encoding for the field: kept as unknown
      }
      if (!ok) return false;
      if (!over_.empty()) return true;
    }
  }

  bool submessage(const MessagePlan& plan, int depth) {
    int length = 0;
    if (!in_.ReadVarintSizeAsInt(&length) || depth + 1 >= kMaxDepth) return false;
    auto limit = in_.PushLimit(length);
    bool ok = message(plan, depth + 1);
    if (!over_.empty()) return true;
    in_.PopLimit(limit);
    return ok;
  }

  bool packed(const FieldPlan& f) {
    int length = 0;
    if (!in_.ReadVarintSizeAsInt(&length)) return false;
    if (f.fixed_size > 0) {
      count(f, static_cast<std::uint64_t>(length / f.fixed_size));
      return in_.Skip(length);
    }
    auto limit = in_.PushLimit(length);
    std::uint64_t n = 0;
    std::uint64_t value = 0;
    while (in_.BytesUntilLimit() > 0) {
      if (!in_.ReadVarint64(&value)) return false;
      ++n;
    }
    in_.PopLimit(limit);
    count(f, n);
    return true;
  }

  /// A field the schema does not know (or in another encoding): the parser keeps it, so it
  /// counts, and so does every field inside a group.
  bool unknown(std::uint32_t tag, int depth) {
    add_total(1);
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_START_GROUP) {
      return WireFormatLite::SkipField(&in_, tag);
    }
    if (depth + 1 >= kMaxDepth) return false;
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    for (;;) {
      const std::uint32_t inner = in_.ReadTag();
      if (inner == 0) return false;
      if (WireFormatLite::GetTagWireType(inner) == WireFormatLite::WIRETYPE_END_GROUP) {
        return WireFormatLite::GetTagFieldNumber(inner) == number;
      }
      if (!unknown(inner, depth + 1)) return false;
      if (!over_.empty()) return true;
    }
  }

  void count(const FieldPlan& f, std::uint64_t n) {
    auto& c = counts_[static_cast<std::size_t>(f.slot)];
    c += n;
    if (c > f.limit && over_.empty()) {
      over_ = short_name(f.field) + " holds more than " + std::to_string(f.limit) +
              " elements (the limit per message)";
    }
    add_total(n);
  }

  void add_total(std::uint64_t n) {
    total_ += n;
    if (total_ > kMaxMessageElements && over_.empty()) {
      over_ = "the message holds more than " + std::to_string(kMaxMessageElements) +
              " list elements (the limit per message)";
    }
  }

  const Plans& plans_;
  CodedInputStream in_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t seq_ = 0;
  int body_field_ = 0;
  std::string over_;
};

}  // namespace

Result<WireBudget> measure_agent_message(std::string_view frame) {
  WireBudget out;
  Walk walk(frame, agent_message_plans());
  if (!walk.run(out)) return fail("agent message is not a valid protobuf envelope");
  return out;
}

}  // namespace triage::protocol
