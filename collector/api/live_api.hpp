#pragma once
// Live views (collector/live/live_service.hpp).
//   POST  /api/v1/devices/{id}/live        open one {ticket_id?, minutes? (1-10, default 10)}:
//                                          201 a new session, 200 the running one joined
//   GET   /api/v1/live/{id}?after=&limit=  the session and its samples after seq `after`
//                                          (default 0), at most `limit` (1-600, default 120)
//   POST  /api/v1/live/{id}/extend         {minutes? (1-10, default 10)} from now
//   POST  /api/v1/live/{id}/stop           end it now
//   GET   /api/v1/tickets/{id}/live        the ticket's recordings, newest first

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_open_live(ApiServices& services, ApiRequest& request);
ApiResult handle_get_live(ApiServices& services, ApiRequest& request);
ApiResult handle_extend_live(ApiServices& services, ApiRequest& request);
ApiResult handle_stop_live(ApiServices& services, ApiRequest& request);
ApiResult handle_ticket_live(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
