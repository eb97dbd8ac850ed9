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

/// Windows Defender Firewall's profiles that apply to the networks the machine is on now
/// (INetFwPolicy2::get_CurrentProfileTypes), as NET_FW_PROFILE2_* bits: 1 domain, 2 private,
/// 4 public; 0 when on no network. {"current_profile_types": 2}
inline constexpr std::string_view kFirewall = "firewall";

}  // namespace triage::agent::win_api
