#include "agent/probes/listening_probe.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "agent/probes/linux/proc_net_sockets.hpp"
#include "shared/util/fs_root.hpp"

namespace triage::agent {

namespace {

struct Owner {
  std::uint32_t pid = 0;
  std::string process;
};

bool numeric(const std::string& name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

void run_listening_probe(const v1::ProbePayload&, ProbeBudget& budget, const ProbeEnvironment& env,
                         v1::ProbeResult& result) {
  const FsRoot fs(env.sysroot);
  auto* out = result.mutable_listening();
  std::vector<std::pair<const char*, ProcNetSocket>> sockets;
  for (const auto& t : kProcNetTables) {
    auto text = fs.read(t.path);
    if (!text) continue;  // no IPv6 on this machine, say
    for (auto& s : parse_proc_net(*text, t.udp, t.ipv6)) sockets.emplace_back(t.protocol, s);
  }
  // Which process holds which socket: every fd link of every process, until the budget ends.
  std::map<std::uint64_t, Owner> owners;
  if (auto pids = fs.list_dir("/proc")) {
    for (const auto& pid : *pids) {
      if (!numeric(pid)) continue;
      if (budget.expired()) {
        budget.cut("time budget ran out while matching sockets to processes");
        break;
      }
      const auto fd_dir = "/proc/" + pid + "/fd";
      auto fds = fs.list_dir(fd_dir);
      if (!fds) continue;
      std::string comm;
      for (const auto& fd : *fds) {
        auto link = fs.read_link(fd_dir + "/" + fd);
        if (!link) continue;
        auto inode = socket_inode(*link);
        if (!inode || owners.count(*inode)) continue;
        if (comm.empty()) {
          comm = fs.read_attr("/proc/" + pid + "/comm").value_or("?");
        }
        owners[*inode] = Owner{static_cast<std::uint32_t>(std::stoul(pid)), comm};
      }
    }
  }
  for (const auto& [protocol, s] : sockets) {
    if (out->ByteSizeLong() + 128 > budget.output_bytes()) {
      budget.cut("output budget reached after " + std::to_string(out->sockets_size()) + " of " +
                 std::to_string(sockets.size()) + " sockets");
      break;
    }
    auto* socket = out->add_sockets();
    socket->set_protocol(protocol);
    socket->set_address(s.address);
    socket->set_port(s.port);
    socket->set_uid(s.uid);
    if (auto it = owners.find(s.inode); it != owners.end()) {
      socket->set_pid(it->second.pid);
      socket->set_process(it->second.process.substr(0, 64));
    }
  }
}

}  // namespace triage::agent
