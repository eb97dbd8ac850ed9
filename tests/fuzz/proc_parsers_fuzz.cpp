// The agent's text parsers (agent/collectors/linux/): /proc, /sys and /etc files and command
// outputs, read by a daemon running as root. A local user controls much of this text (their
// processes' stat and names, mounts they make, utmp entries, print jobs, DNS answers from the
// network). Input: a byte choosing the parser, then the text.

#include <iterator>
#include <string_view>

#include "agent/collectors/linux/apt_updates.hpp"
#include "agent/collectors/linux/block_devices.hpp"
#include "agent/collectors/linux/cpuinfo.hpp"
#include "agent/collectors/linux/cups.hpp"
#include "agent/collectors/linux/dns.hpp"
#include "agent/collectors/linux/dpkg.hpp"
#include "agent/collectors/linux/filesystems.hpp"
#include "agent/collectors/linux/firewall.hpp"
#include "agent/collectors/linux/interfaces.hpp"
#include "agent/collectors/linux/kernel_log.hpp"
#include "agent/collectors/linux/meminfo.hpp"
#include "agent/collectors/linux/os_release.hpp"
#include "agent/collectors/linux/pressure.hpp"
#include "agent/collectors/linux/processes.hpp"
#include "agent/collectors/linux/proxy.hpp"
#include "agent/collectors/linux/routes.hpp"
#include "agent/collectors/linux/rpm.hpp"
#include "agent/collectors/linux/sessions.hpp"
#include "agent/collectors/linux/systemd_units.hpp"
#include "agent/collectors/linux/uptime.hpp"
#include "agent/collectors/net_probe.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;
using namespace triage::agent;

namespace {

using Parser = void (*)(std::string_view);

// The order is part of the seed corpus's format (the first byte of each seed): append only.
constexpr Parser kParsers[] = {
    [](std::string_view t) { (void)parse_os_release(t); },
    [](std::string_view t) { (void)parse_boot_time(t); },
    [](std::string_view t) { (void)parse_meminfo(t); },
    [](std::string_view t) { (void)parse_cpuinfo(t); },
    [](std::string_view t) { (void)parse_loadavg(t); },
    [](std::string_view t) { (void)parse_pressure(t); },
    [](std::string_view t) { (void)parse_utmp(t); },
    [](std::string_view t) { (void)parse_smartctl_json(t, 0); },
    [](std::string_view t) { (void)parse_mounts(t); },
    [](std::string_view t) { (void)parse_dpkg_status(t); },
    [](std::string_view t) { (void)parse_rpm_qa(t); },
    [](std::string_view t) { (void)parse_packages_list(t); },
    [](std::string_view t) { (void)parse_proc_stat(t); },
    [](std::string_view t) { (void)parse_list_units(t); },
    [](std::string_view t) { (void)parse_proc_net_wireless(t); },
    [](std::string_view t) { (void)parse_proc_net_route(t); },
    [](std::string_view t) { (void)parse_proc_net_ipv6_route(t); },
    [](std::string_view t) { (void)parse_resolv_conf(t); },
    [](std::string_view t) { (void)parse_environment_proxies(t); },
    [](std::string_view t) { (void)parse_apt_proxies(t); },
    [](std::string_view t) { (void)parse_dns_response(t, 0x1234); },
    [](std::string_view t) { (void)parse_kmsg(t); },
    [](std::string_view t) { (void)parse_lpstat(t, false); },
    [](std::string_view t) { (void)parse_nft_json(t); },
    [](std::string_view t) { (void)parse_iptables_save(t); },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const auto which = in.byte() % std::size(kParsers);
  kParsers[which](in.rest());
  return 0;
}
