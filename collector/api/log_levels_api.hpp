#pragma once
// The collector's log levels at runtime, for admins (the REST side of `[log]` and `[log.levels]`).
//   GET /api/v1/admin/log-levels   the default level and each subsystem's level in effect
//   PUT /api/v1/admin/log-levels   {level?, levels?: {subsystem: level | null}}: null makes a
//                                  subsystem follow `level` again; audited as
//                                  `log_levels.changed`. Lasts until the next SIGHUP or restart,
//                                  which apply the configuration file again.

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_get_log_levels(ApiServices& services, ApiRequest& request);
ApiResult handle_put_log_levels(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
