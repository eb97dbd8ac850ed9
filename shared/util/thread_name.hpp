#pragma once
// Names the calling thread, so `top -H`, `perf report --sort pid` and a debugger say which
// thread is the ingest writer, an I/O thread or the checkpointer instead of repeating the
// program's name.

#include <string_view>

namespace triage {

/// Names the calling thread (Linux keeps the first 15 bytes). Best effort: a platform without
/// thread names, or a refusal, leaves the name as it was.
void name_this_thread(std::string_view name);

}  // namespace triage
