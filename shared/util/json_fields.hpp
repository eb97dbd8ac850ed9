#pragma once
// Typed reads of one field of a JSON object that never throw. nlohmann's `value(key, fallback)`
// throws `type_error` when the key is there with another type (`"hook": []` where a string
// belongs); on input from outside (command output, a server's answer, a file a user could
// edit) that is an uncaught exception, so such input is read through these instead.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace triage {

/// `object[key]` when `object` is an object whose `key` holds a string; else `fallback`.
std::string string_field(const nlohmann::json& object, std::string_view key,
                         std::string_view fallback = {});

/// `object[key]` when `object` is an object whose `key` holds a boolean; else `fallback`.
bool bool_field(const nlohmann::json& object, std::string_view key, bool fallback = false);

/// `object[key]` when `object` is an object whose `key` holds an integer that fits; else
/// `fallback`.
std::int64_t int_field(const nlohmann::json& object, std::string_view key,
                       std::int64_t fallback = 0);

}  // namespace triage
