#pragma once
// triagectl's catalog commands: proposing a custom action (or a new version of one) from a
// TOML file, listing the proposals waiting for a second person, and approving or rejecting
// one. A change an admin proposes is in force only once another admin or senior approves it.

#include <string>

#include "collector/triagectl/ctl_actions.hpp"

namespace triage::ctl {

/// POST /api/v1/actions (or PUT /api/v1/actions/{id} when `replaces` is given) with the
/// definition read from `file` (64 KiB at most).
Result<void> propose_action(const ApiCall& api, const std::string& file,
                            const std::string& replaces, const Output& o);
/// GET /api/v1/actions/proposals?status=`status` ("" for the server's default, pending).
Result<void> list_proposals(const ApiCall& api, const std::string& status, const Output& o);
/// POST /api/v1/actions/proposals/{id}/{approve|reject} (reject with an optional reason).
Result<void> decide_proposal(const ApiCall& api, const std::string& id, const std::string& decision,
                             const std::string& reason, const Output& o);

}  // namespace triage::ctl
