#include "agent/probes/linux/journal_library.hpp"

#include <dlfcn.h>

#include <mutex>

namespace triage::agent {

namespace {

template <typename Fn>
bool resolve(void* handle, const char* name, Fn& out, std::string& missing) {
  out = reinterpret_cast<Fn>(::dlsym(handle, name));
  if (out == nullptr && missing.empty()) missing = name;
  return out != nullptr;
}

}  // namespace

const JournalLibrary* journal_library(std::string& error) {
  static std::once_flag once;
  static JournalLibrary library;
  static std::string load_error;
  static bool loaded = false;
  std::call_once(once, [] {
    // Kept for the life of the process: a technician who asked once may ask again.
    void* handle = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      load_error = std::string("the journal library (libsystemd.so.0) could not be loaded: ") +
                   (why != nullptr ? why : "not found");
      return;
    }
    std::string missing;
    resolve(handle, "sd_journal_open", library.open, missing);
    resolve(handle, "sd_journal_open_directory", library.open_directory, missing);
    resolve(handle, "sd_journal_close", library.close, missing);
    resolve(handle, "sd_journal_get_usage", library.get_usage, missing);
    resolve(handle, "sd_journal_set_data_threshold", library.set_data_threshold, missing);
    resolve(handle, "sd_journal_add_match", library.add_match, missing);
    resolve(handle, "sd_journal_add_disjunction", library.add_disjunction, missing);
    resolve(handle, "sd_journal_seek_tail", library.seek_tail, missing);
    resolve(handle, "sd_journal_previous", library.previous, missing);
    resolve(handle, "sd_journal_get_realtime_usec", library.get_realtime_usec, missing);
    resolve(handle, "sd_journal_get_data", library.get_data, missing);
    resolve(handle, "sd_journal_next", library.next, missing);
    resolve(handle, "sd_journal_get_fd", library.get_fd, missing);
    resolve(handle, "sd_journal_process", library.process, missing);
    if (!missing.empty()) {
      load_error = "the journal library (libsystemd.so.0) has no " + missing;
      return;
    }
    loaded = true;
  });
  if (!loaded) {
    error = load_error;
    return nullptr;
  }
  return &library;
}

}  // namespace triage::agent
