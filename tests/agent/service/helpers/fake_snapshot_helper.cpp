// Stands in for `triage-agent snapshot-helper` in tests: argv[1] says how to misbehave.
//   crash | hang | flood | garbage | exit3      fail in that way
//   ok STATE_FILE                                a small snapshot (see below)
//   crash-once STATE_FILE                        crash when STATE_FILE is absent (creating it),
//                                                else like ok
// The snapshot of `ok` names the --cooling arguments it got in system.hostname, and reports
// collector "dpkg" OVER_BUDGET on its first run (STATE_FILE absent), OK afterwards.
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "triage/v1/snapshot.pb.h"

// Its crashes are the point: a sanitizer build must not catch the SIGSEGV and exit 1 instead,
// the agent has to see a process killed by the signal, as after a real crash.
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __asan_default_options() { return "handle_segv=0"; }
#endif
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_options() { return "handle_segv=0"; }
#endif

namespace {

int write_all(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return 1;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

int ok(const std::vector<std::string>& args, const std::string& state_file) {
  const bool first = !std::filesystem::exists(state_file);
  if (first) std::ofstream(state_file) << "ran\n";
  triage::v1::Snapshot s;
  s.set_schema_version(1);
  std::string cooling = "cooling:";
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--cooling") cooling += " " + args[i + 1];
  }
  s.mutable_system()->set_hostname(cooling);
  auto* dpkg = s.add_collectors();
  dpkg->set_name("dpkg");
  dpkg->set_category("software");
  dpkg->set_outcome(first ? triage::v1::CollectorStatus::OVER_BUDGET
                          : triage::v1::CollectorStatus::OK);
  std::fprintf(stderr, "info fake helper ran\n");
  return write_all(s.SerializeAsString());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string mode = args.empty() ? "" : args[0];
  if (mode == "crash") std::raise(SIGSEGV);
  if (mode == "hang") {
    for (;;) ::pause();
  }
  if (mode == "flood") return write_all(std::string(32 * 1024 * 1024, 'x'));
  if (mode == "garbage") return write_all("\xff\xff\xff not a snapshot");
  if (mode == "exit3") return 3;
  if (args.size() < 2) return 64;
  if (mode == "crash-once" && !std::filesystem::exists(args[1])) {
    std::ofstream(args[1]) << "crashed\n";
    std::raise(SIGSEGV);
  }
  if (mode == "crash-once" || mode == "ok") {
    // A second state file for ok's own first/next distinction.
    return ok(args, args[1] + (mode == "crash-once" ? ".ok" : ""));
  }
  return 64;
}
