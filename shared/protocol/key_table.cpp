#include "shared/protocol/key_table.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <random>

namespace triage::protocol::detail {

namespace {

/// What one key's text takes, about: three length-prefixed parts for a package.
constexpr std::size_t kTextBytesPerKey = 40;

// The keys come from an endpoint. With a hash it could predict (std::hash is unseeded), it
// could send keys that all land in one run and make every lookup walk the whole list: the
// quadratic stall this index exists to prevent. SipHash-1-3 under a key drawn at start is what
// hash tables facing hostile input use (Python, Rust).
std::array<std::uint64_t, 2> process_key() {
  std::random_device random;
  std::array<std::uint64_t, 2> key{};
  for (auto& k : key) k = (std::uint64_t{random()} << 32) ^ random();
  return key;
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void absorb(std::uint64_t m) {
    v3 ^= m;
    round();
    v0 ^= m;
  }
};

std::uint64_t siphash13(std::string_view data) {
  static const std::array<std::uint64_t, 2> k = process_key();
  SipState s{k[0] ^ 0x736f6d6570736575ULL, k[1] ^ 0x646f72616e646f6dULL,
             k[0] ^ 0x6c7967656e657261ULL, k[1] ^ 0x7465646279746573ULL};
  const char* p = data.data();
  std::size_t left = data.size();
  for (; left >= 8; p += 8, left -= 8) {
    std::uint64_t m;
    std::memcpy(&m, p, 8);  // host byte order: the hash never leaves this process
    s.absorb(m);
  }
  std::uint64_t last = static_cast<std::uint64_t>(data.size()) << 56;
  for (std::size_t i = 0; i < left; ++i) {
    last |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  s.absorb(last);
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

KeyTable::KeyTable(std::size_t expected) {
  slots_.resize(std::bit_ceil((expected + 1) * 10 / 7 + 1));
  texts_.reserve(expected * kTextBytesPerKey);
}

std::uint32_t KeyTable::hash_of(std::string_view key) {
  const std::uint64_t full = siphash13(key);
  const auto h = static_cast<std::uint32_t>(full ^ (full >> 32));
  return h == kEmpty ? 1 : h;
}

KeyTable::Slot& KeyTable::probe(std::string_view key, std::uint32_t hash) {
  for (std::size_t i = home(hash);; i = (i + 1) & (slots_.size() - 1)) {
    Slot& s = slots_[i];
    if (s.hash == kEmpty || (s.hash == hash && key_of(s) == key)) return s;
  }
}

int* KeyTable::find(std::string_view key) {
  Slot& s = probe(key, hash_of(key));
  return s.hash == kEmpty ? nullptr : &s.value;
}

std::pair<int*, bool> KeyTable::try_emplace(std::string_view key, int value) {
  const std::uint32_t hash = hash_of(key);
  Slot* s = &probe(key, hash);
  if (s->hash != kEmpty) return {&s->value, false};
  if (!fits(size_ + 1, slots_.size())) {
    grow();
    s = &probe(key, hash);
  }
  s->hash = hash;
  s->offset = static_cast<std::uint32_t>(texts_.size());
  s->length = static_cast<std::uint32_t>(key.size());
  s->value = value;
  texts_.append(key);
  ++size_;
  return {&s->value, true};
}

void KeyTable::erase(int* value) {
  // Backward-shift deletion: the keys after it in its run move up, so lookups need no
  // tombstones.
  const std::size_t mask = slots_.size() - 1;
  // `value` is the value member of one of slots_: its distance from the first one's.
  std::size_t hole = static_cast<std::size_t>(reinterpret_cast<const char*>(value) -
                                              reinterpret_cast<const char*>(&slots_[0].value)) /
                     sizeof(Slot);
  slots_[hole].hash = kEmpty;
  --size_;
  for (std::size_t i = (hole + 1) & mask; slots_[i].hash != kEmpty; i = (i + 1) & mask) {
    const std::size_t want = home(slots_[i].hash);
    // Moves up unless its home lies in (hole, i], cyclically.
    const bool stays = hole <= i ? (hole < want && want <= i) : (hole < want || want <= i);
    if (stays) continue;
    slots_[hole] = slots_[i];
    slots_[i].hash = kEmpty;
    hole = i;
  }
}

std::size_t KeyTable::longest_run() const {
  std::size_t longest = 0, run = 0;
  // Twice around, for a run that wraps past the end.
  for (std::size_t i = 0; i < 2 * slots_.size(); ++i) {
    run = slots_[i & (slots_.size() - 1)].hash == kEmpty ? 0 : run + 1;
    longest = std::max(longest, std::min(run, size_));
  }
  return longest;
}

void KeyTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  for (const Slot& s : old) {
    if (s.hash == kEmpty) continue;
    for (std::size_t i = home(s.hash);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].hash == kEmpty) {
        slots_[i] = s;
        break;
      }
    }
  }
}

}  // namespace triage::protocol::detail
