#pragma once
// The index of one keyed list while a delta is applied (delta_apply.cpp): element key text ->
// a position. Open addressing in one array, the key texts in one buffer: building it for a list
// of 20,000 elements costs a handful of allocations, and a lookup touches two cache lines, not
// a chain of nodes. Keys are hashed with a secret drawn per process, so an endpoint cannot
// choose keys that collide.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace triage::protocol::detail {

class KeyTable {
 public:
  /// Room for `expected` keys without growing.
  explicit KeyTable(std::size_t expected = 0);

  /// The value stored for `key`, or nullptr. Valid until the next insertion or erasure.
  int* find(std::string_view key);
  /// Stores `key` (copied) with `value` unless it is present. Returns the key's value and
  /// whether it was inserted; the pointer is valid until the next insertion or erasure.
  std::pair<int*, bool> try_emplace(std::string_view key, int value);
  /// Removes the key whose value `slot` points to (a pointer from find() or try_emplace()).
  void erase(int* slot);
  /// Calls `f(int& value)` for each key's value.
  template <class F>
  void for_each_value(F f) {
    for (auto& s : slots_) {
      if (s.hash != kEmpty) f(s.value);
    }
  }
  std::size_t size() const { return size_; }
  /// The longest run of occupied slots: the most one lookup may walk.
  std::size_t longest_run() const;

 private:
  // 16 bytes: four to a cache line, so that a probe seldom leaves the line it starts in.
  struct Slot {
    std::uint32_t hash = 0;  ///< kEmpty when free
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    int value = 0;
  };
  static constexpr std::uint32_t kEmpty = 0;

  static std::uint32_t hash_of(std::string_view key);
  std::string_view key_of(const Slot& s) const { return {texts_.data() + s.offset, s.length}; }
  std::size_t home(std::uint32_t hash) const { return hash & (slots_.size() - 1); }
  /// The slot holding `key`, or the free slot where it would go.
  Slot& probe(std::string_view key, std::uint32_t hash);
  /// Whether `keys` keys fit in `slots` slots (at most 70% full: probe runs stay short).
  static bool fits(std::size_t keys, std::size_t slots) { return keys * 10 <= slots * 7; }
  void grow();

  std::vector<Slot> slots_;  ///< a power of two in size, see fits()
  std::string texts_;        ///< every key's text, back to back (erased ones stay)
  std::size_t size_ = 0;
};

}  // namespace triage::protocol::detail
