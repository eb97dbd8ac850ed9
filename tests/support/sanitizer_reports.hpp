#pragma once
// Sanitizer reports of the product processes a test starts. Under `make sanitize` and
// `make tsan`, TRIAGE_SANITIZER_LOG_DIR names a directory: each child writes its ASan, UBSan,
// LSan or TSan report to `<dir>/<name>.<pid>` instead of its stderr, and the test that
// started it fails when that file exists once the child has ended.

#include <sys/types.h>

#include <string>
#include <vector>

namespace triage::testing {

/// The environment for a child named `name`: this process's own, plus `log_path` in the
/// sanitizer options when TRIAGE_SANITIZER_LOG_DIR is set. Entries are "KEY=value".
std::vector<std::string> child_environment(const std::string& name);

/// After the child `name` with `pid` has ended: fails the running test (or, outside a test,
/// prints to stderr) with the child's sanitizer report, if it wrote one. Returns whether
/// it did.
bool check_sanitizer_report(const std::string& name, pid_t pid);

}  // namespace triage::testing
