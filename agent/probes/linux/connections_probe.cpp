#include "agent/probes/connections_probe.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "agent/probes/linux/proc_net_sockets.hpp"
#include "shared/util/fs_root.hpp"

namespace triage::agent {

namespace {

/// Processes of one name matched at most (a name like "chrome" can have dozens).
constexpr int kMaxProcesses = 64;
/// The kernel keeps 15 bytes of a process name in /proc/<pid>/comm.
constexpr std::size_t kCommLength = 15;

bool numeric(const std::string& name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string comm_of(const FsRoot& fs, const std::string& pid) {
  auto comm = fs.read_attr("/proc/" + pid + "/comm").value_or("");
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\r')) comm.pop_back();
  return comm;
}

struct Owner {
  std::uint32_t pid = 0;
  std::string process;
};

}  // namespace

void run_connections_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                           const ProbeEnvironment& env, v1::ProbeResult& result) {
  const FsRoot fs(env.sysroot);
  const auto& params = request.connections();
  auto* out = result.mutable_connections();

  // The processes asked for.
  std::vector<Owner> processes;
  if (params.pid() != 0) {
    const auto pid = std::to_string(params.pid());
    if (!fs.is_directory("/proc/" + pid)) {
      out->set_error("no process with pid " + pid);
      return;
    }
    processes.push_back({params.pid(), comm_of(fs, pid)});
  } else {
    const auto& wanted = params.process();
    auto pids = fs.list_dir("/proc");
    if (!pids) {
      out->set_error("the process list could not be read");
      return;
    }
    for (const auto& pid : *pids) {
      if (!numeric(pid)) continue;
      if (budget.expired()) {
        budget.cut("time budget ran out while looking for processes named " + wanted);
        break;
      }
      const auto comm = comm_of(fs, pid);
      const bool match =
          comm == wanted ||
          (wanted.size() > kCommLength && comm.size() == kCommLength && wanted.rfind(comm, 0) == 0);
      if (!match) continue;
      if (static_cast<int>(processes.size()) == kMaxProcesses) {
        budget.cut("more than " + std::to_string(kMaxProcesses) + " processes are named " + wanted +
                   "; the first are shown");
        break;
      }
      processes.push_back({static_cast<std::uint32_t>(std::stoul(pid)), comm});
    }
    std::sort(processes.begin(), processes.end(),
              [](const Owner& a, const Owner& b) { return a.pid < b.pid; });
    if (processes.empty()) {
      out->set_error("no process is named " + wanted);
      return;
    }
  }

  // Their sockets, by inode.
  std::map<std::uint64_t, const Owner*> owners;
  for (const auto& process : processes) {
    out->add_pids(process.pid);
    const auto fd_dir = "/proc/" + std::to_string(process.pid) + "/fd";
    auto fds = fs.list_dir(fd_dir);
    if (!fds) continue;  // gone meanwhile, or not readable
    for (const auto& fd : *fds) {
      auto link = fs.read_link(fd_dir + "/" + fd);
      if (!link) continue;
      if (auto inode = socket_inode(*link)) owners.emplace(*inode, &process);
    }
  }

  std::size_t found = 0;
  std::size_t kept = 0;
  for (const auto& t : kProcNetTables) {
    auto text = fs.read(t.path);
    if (!text) continue;  // no IPv6 on this machine, say
    for (auto& s : parse_proc_net_all(*text, t.ipv6)) {
      auto owner = owners.find(s.inode);
      if (owner == owners.end() || s.inode == 0) continue;
      if (t.udp ? s.remote_port == 0 : s.state == "0A") continue;  // listening, not connected
      ++found;
      if (out->ByteSizeLong() + 160 > budget.output_bytes()) continue;  // counted for the note
      ++kept;
      auto* c = out->add_connections();
      c->set_protocol(t.protocol);
      c->set_local_address(s.local_address);
      c->set_local_port(s.local_port);
      c->set_remote_address(s.remote_address);
      c->set_remote_port(s.remote_port);
      if (!t.udp) c->set_state(tcp_state_name(s.state));
      c->set_pid(owner->second->pid);
      c->set_process(owner->second->process.substr(0, 64));
    }
  }
  if (kept < found) {
    budget.cut("output budget reached after " + std::to_string(kept) + " of " +
               std::to_string(found) + " connections");
  }
}

}  // namespace triage::agent
