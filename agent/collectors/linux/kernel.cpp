// Kernel identity: hostname, kernel release/version, architecture, machine id.
// Sources /proc/sys/kernel/{hostname,osrelease,version,arch}, /etc/hostname, /etc/machine-id.
// Linux; any user; a few tiny files.
#include "agent/collectors/linux/kernel.hpp"
#include "agent/collectors/linux/uname.hpp"

namespace triage::agent {

KernelIdentity read_kernel_identity(const FsRoot& fs) {
  KernelIdentity k;
  k.hostname = fs.read_attr("/proc/sys/kernel/hostname").value_or("");
  if (k.hostname.empty()) k.hostname = fs.read_attr("/etc/hostname").value_or("");
  k.release = fs.read_attr("/proc/sys/kernel/osrelease").value_or("");
  k.version = fs.read_attr("/proc/sys/kernel/version").value_or("");
  k.arch = fs.read_attr("/proc/sys/kernel/arch").value_or("");
  k.machine_id = fs.read_attr("/etc/machine-id").value_or("");
  if (k.machine_id.empty()) k.machine_id = fs.read_attr("/var/lib/dbus/machine-id").value_or("");
  return k;
}

Result<void> collect_kernel(CollectContext& ctx, v1::Snapshot& out) {
  auto k = read_kernel_identity(ctx.fs());
  if (k.hostname.empty() && k.release.empty())
    return fail("no /proc/sys/kernel (is /proc mounted?)");
  if (k.arch.empty() && ctx.host().live()) k.arch = live_machine_arch();
  auto* sys = out.mutable_system();
  sys->set_hostname(k.hostname);
  sys->set_kernel_release(k.release);
  sys->set_kernel_version(k.version);
  sys->set_arch(k.arch);
  sys->set_machine_id(k.machine_id);
  return {};
}

}  // namespace triage::agent
