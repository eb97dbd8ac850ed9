// Device facts on Linux: /proc/sys/kernel and /etc for the identity, os-release, and the
// first live utmp session for the logged-in user.
#include "agent/collectors/device_facts.hpp"

#include "agent/collectors/agent_platform.hpp"
#include "agent/collectors/linux/kernel.hpp"
#include "agent/collectors/linux/os_release.hpp"
#include "agent/collectors/linux/sessions.hpp"
#include "agent/collectors/linux/uname.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

v1::DeviceFacts read_device_facts(const FsRoot& fs) {
  v1::DeviceFacts facts;
  auto k = read_kernel_identity(fs);
  if (k.arch.empty() && fs.is_live()) k.arch = live_machine_arch();
  auto os = read_os_release(fs);
  facts.set_hostname(clean_text(k.hostname, 256));
  facts.set_os_pretty_name(clean_text(os.pretty_name, 256));
  facts.set_os_id(clean_text(os.id, 64));
  facts.set_os_version(clean_text(os.version_id, 64));
  facts.set_kernel(clean_text(k.release, 128));
  facts.set_arch(clean_text(k.arch, 32));
  facts.set_machine_id(clean_text(k.machine_id, 64));
  facts.set_platform(agent_platform());
  auto utmp = fs.read("/run/utmp", 1024 * 1024);
  if (!utmp) utmp = fs.read("/var/run/utmp", 1024 * 1024);
  if (utmp) {
    for (const auto& s : parse_utmp(*utmp)) {
      if (s.pid != 0 && !fs.exists("/proc/" + std::to_string(s.pid))) continue;
      facts.set_logged_in_user(clean_text(s.user, 64));
      break;
    }
  }
  return facts;
}

}  // namespace triage::agent
