// Typed field reads that never throw, whatever the JSON holds.
#include <catch2/catch.hpp>

#include "shared/util/json_fields.hpp"

using triage::bool_field;
using triage::int_field;
using triage::string_field;

TEST_CASE("a field of another type reads as the fallback instead of throwing", "[json_fields]") {
  const auto j = nlohmann::json::parse(
      R"({"hook": [], "name": "input", "on": 1, "count": "7", "flag": true, "n": 42,
          "big": 18446744073709551615, "neg": -3, "f": 1.5, "nil": null})");
  CHECK(string_field(j, "hook", "none") == "none");
  CHECK(string_field(j, "name") == "input");
  CHECK(string_field(j, "missing", "x") == "x");
  CHECK(string_field(j, "nil", "x") == "x");
  CHECK(bool_field(j, "on", false) == false);
  CHECK(bool_field(j, "flag") == true);
  CHECK(int_field(j, "count", -1) == -1);
  CHECK(int_field(j, "n") == 42);
  CHECK(int_field(j, "neg") == -3);
  CHECK(int_field(j, "big", -1) == -1);
  CHECK(int_field(j, "f", -1) == -1);
}

TEST_CASE("a value that is not an object reads as the fallback", "[json_fields]") {
  for (const auto& j : {nlohmann::json::array({1, 2}), nlohmann::json("text"),
                        nlohmann::json(nullptr), nlohmann::json(3)}) {
    CHECK(string_field(j, "name", "d") == "d");
    CHECK(bool_field(j, "flag", true) == true);
    CHECK(int_field(j, "n", 9) == 9);
  }
}
