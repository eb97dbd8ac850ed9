#pragma once
// The names WinHost::api() answers, and the shape of each answer. The live answers come from
// the gatherers of agent/collectors/windows/ (win_api_table.cpp lists them); a recorded machine
// keeps each as api/<name>.json. A source reads an answer with the json_* helpers of
// win_values.hpp: every field may be missing or of another type, and the source copes.

#include <string_view>

namespace triage::agent::win_api {

// ---------------------------------------------------------------- system and hardware
// (names, each with its JSON shape in a comment)

// ---------------------------------------------------------------- software, services, processes

// ---------------------------------------------------------------- network

// ---------------------------------------------------------------- health and security

}  // namespace triage::agent::win_api
