#pragma once
// Custom actions over REST (admin). The body carries the definition as TOML text, validated
// by the same parser as the built-in files (docs/actions.md); built-in and file-defined
// actions cannot be changed or shadowed (409).
//   POST   /api/v1/actions          {definition}  a new custom action   -> 201 the action
//   PUT    /api/v1/actions/{id}     {definition}  a new version of it   -> 200 the action
//   DELETE /api/v1/actions/{id}                   deletes it            -> 204

#include "collector/api/api_context.hpp"

namespace triage::collector {

HttpResponse handle_create_action(ApiServices& services, ApiRequest& request);
HttpResponse handle_update_action(ApiServices& services, ApiRequest& request);
HttpResponse handle_delete_action(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
