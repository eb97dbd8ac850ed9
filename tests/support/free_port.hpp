#pragma once
// A TCP port free on 127.0.0.1 right now, for servers a test starts that cannot report the
// port they bound (PostgreSQL, HAProxy). Another process may take it before the server does.

namespace triage::testing {

/// Binds port 0 on 127.0.0.1, reads the port and closes the socket; throws when it cannot.
int free_loopback_port();

}  // namespace triage::testing
