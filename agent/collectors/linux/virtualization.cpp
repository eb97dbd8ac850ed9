// Virtualisation and init system: containers from /.dockerenv, /run/.containerenv,
// /proc/1/environ "container=", /proc/1/cgroup; hypervisors from DMI vendor strings and
// /proc/cpuinfo's hypervisor flag; WSL from the kernel release. Init from /proc/1/comm.
// Linux; /proc/1/environ needs root (else the other signs decide); cheap.
#include "agent/collectors/linux/virtualization.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::string hypervisor_from_dmi(std::string_view vendor, std::string_view product) {
  auto v = to_lower(vendor), p = to_lower(product);
  if (p.find("virtualbox") != std::string::npos || v.find("innotek") != std::string::npos)
    return "virtualbox";
  if (v.find("vmware") != std::string::npos || p.find("vmware") != std::string::npos)
    return "vmware";
  if (v.find("qemu") != std::string::npos || p.find("kvm") != std::string::npos ||
      p.find("standard pc") != std::string::npos)
    return "kvm";
  if (v.find("microsoft") != std::string::npos && p.find("virtual") != std::string::npos)
    return "hyperv";
  if (v.find("xen") != std::string::npos) return "xen";
  if (v.find("amazon ec2") != std::string::npos || p.find("amazon ec2") != std::string::npos)
    return "amazon";
  if (p.find("google compute engine") != std::string::npos) return "google";
  if (v.find("parallels") != std::string::npos) return "parallels";
  return {};
}

Result<void> collect_virtualization(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  auto* sys = out.mutable_system();
  sys->set_init_system(fs.read_attr("/proc/1/comm").value_or(""));

  std::string kind;
  if (auto env = fs.read_prefix("/proc/1/environ", 64 * 1024)) {
    for (auto var : split(*env, '\0')) {
      if (var.starts_with("container=")) kind = std::string(var.substr(10));
    }
  }
  if (kind.empty() && fs.exists("/.dockerenv")) kind = "docker";
  if (kind.empty() && fs.exists("/run/.containerenv")) kind = "podman";
  if (kind.empty()) {
    if (auto cg = fs.read_prefix("/proc/1/cgroup", 64 * 1024)) {
      if (cg->find("/docker/") != std::string::npos)
        kind = "docker";
      else if (cg->find("/lxc/") != std::string::npos)
        kind = "lxc";
      else if (cg->find("kubepods") != std::string::npos)
        kind = "kubernetes";
    }
  }
  if (kind.empty()) {
    auto release = fs.read_attr("/proc/sys/kernel/osrelease").value_or("");
    if (to_lower(release).find("microsoft") != std::string::npos) kind = "wsl";
  }
  if (kind.empty()) {
    kind = hypervisor_from_dmi(fs.read_attr("/sys/class/dmi/id/sys_vendor").value_or(""),
                               fs.read_attr("/sys/class/dmi/id/product_name").value_or(""));
  }
  if (kind.empty()) {
    if (auto cpuinfo = fs.read_prefix("/proc/cpuinfo", 16 * 1024)) {
      if (cpuinfo->find(" hypervisor") != std::string::npos) kind = "vm (unidentified hypervisor)";
    }
  }
  sys->set_virtualization(kind.empty() ? "none" : kind);
  return {};
}

}  // namespace triage::agent
