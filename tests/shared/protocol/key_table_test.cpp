// The delta applier's key index against std::unordered_map: the same answers through
// insertions, lookups and erasures, with runs that wrap around the end of the table.

#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <catch2/catch.hpp>

#include "shared/protocol/key_table.hpp"

using triage::protocol::detail::KeyTable;

TEST_CASE("the key table answers as a map through insertions and erasures", "[delta]") {
  std::mt19937 rng(GENERATE(1u, 2u, 3u));
  KeyTable table(4);  // grows many times
  std::unordered_map<std::string, int> model;
  for (int step = 0; step < 20'000; ++step) {
    const std::string key = "k" + std::to_string(rng() % 3'000);
    switch (rng() % 3) {
      case 0: {
        auto [value, inserted] = table.try_emplace(key, step);
        auto [it, fresh] = model.try_emplace(key, step);
        REQUIRE(inserted == fresh);
        REQUIRE(*value == it->second);
        break;
      }
      case 1: {
        int* value = table.find(key);
        auto it = model.find(key);
        REQUIRE((value != nullptr) == (it != model.end()));
        if (value) {
          REQUIRE(*value == it->second);
          *value = it->second = step;
        }
        break;
      }
      default: {
        int* value = table.find(key);
        REQUIRE((value != nullptr) == (model.count(key) == 1));
        if (value) table.erase(value);
        model.erase(key);
      }
    }
    REQUIRE(table.size() == model.size());
  }
  for (const auto& [key, value] : model) {
    int* found = table.find(key);
    REQUIRE(found);
    CHECK(*found == value);
  }
  std::size_t visited = 0;
  table.for_each_value([&](int&) { ++visited; });
  CHECK(visited == model.size());
  CHECK(table.find("") == nullptr);
  CHECK(table.try_emplace("", 7).second);
  CHECK(*table.find("") == 7);
}

TEST_CASE("keys crafted to collide under an unseeded hash do not pile up in the delta index",
          "[delta][hostile]") {
  // What an endpoint can do against a hash it can compute: keys whose std::hash fall in the
  // same slot of a table sized for them (std::unordered_map buckets by hash modulo its size the
  // same way). Each lookup would then walk all of them.
  constexpr std::size_t kKeys = 2'000;
  KeyTable table(kKeys);
  constexpr std::size_t kSlots = 4'096;  // the table's size for kKeys (a power of two, < 70% full)
  std::vector<std::string> keys;
  for (std::uint64_t i = 0; keys.size() < kKeys; ++i) {
    std::string key = "pkg-" + std::to_string(i);
    if (std::hash<std::string_view>()(key) % kSlots == 0) keys.push_back(std::move(key));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) table.try_emplace(keys[i], static_cast<int>(i));
  REQUIRE(table.size() == kKeys);
  // Random placement at this load leaves runs of a few dozen at most.
  CHECK(table.longest_run() < 200);
  CHECK(*table.find(keys.back()) == static_cast<int>(kKeys - 1));
}
