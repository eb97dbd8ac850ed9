// Kernel log events: OOM kills, I/O errors, filesystem errors, hung tasks, segfaults. Source
// /dev/kmsg read without blocking (the ring buffer since boot, or what is left of it).
// Linux; needs root where kernel.dmesg_restrict=1 (Debian default); one read of <= 2 MiB.
#include "agent/collectors/linux/kernel_log.hpp"
#include "agent/collectors/linux/uptime.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

using v1::KernelEvent;

std::string between(std::string_view s, std::string_view open, std::string_view close) {
  auto a = s.find(open);
  if (a == std::string_view::npos) return {};
  a += open.size();
  auto b = s.find(close, a);
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(a, b - a));
}

}  // namespace

std::vector<KmsgEvent> parse_kmsg(std::string_view text) {
  std::vector<KmsgEvent> out;
  for (auto line : split_lines(text)) {
    if (line.empty() || line[0] == ' ') continue;  // continuation: " SUBSYSTEM=..."
    auto semi = line.find(';');
    if (semi == std::string_view::npos) continue;
    auto header = split(line.substr(0, semi), ',');
    if (header.size() < 3) continue;
    auto usec = to_uint(header[2]);
    std::string_view msg = line.substr(semi + 1);
    KmsgEvent e;
    e.usec_since_boot = usec.value_or(0);
    if (msg.find("Killed process") != std::string_view::npos &&
        (msg.find("out of memory") != std::string_view::npos ||
         msg.find("Out of memory") != std::string_view::npos)) {
      e.kind = KernelEvent::OOM_KILL;
      e.process = between(msg, "(", ")");
    } else if (msg.find("I/O error") != std::string_view::npos) {
      e.kind = KernelEvent::IO_ERROR;
      e.device = between(msg, "dev ", ",");
      if (e.device.empty()) e.device = between(msg, "on dev ", ",");
    } else if (msg.find("-fs error") != std::string_view::npos ||
               msg.find("BTRFS error") != std::string_view::npos ||
               msg.find("BTRFS critical") != std::string_view::npos ||
               (msg.starts_with("XFS") && msg.find("Corruption") != std::string_view::npos)) {
      e.kind = KernelEvent::FS_ERROR;
      e.device = between(msg, "(", ")");
    } else if (msg.find("blocked for more than") != std::string_view::npos) {
      e.kind = KernelEvent::HUNG_TASK;
      e.process = between(msg, "task ", ":");
    } else if (msg.find(" segfault at ") != std::string_view::npos) {
      e.kind = KernelEvent::SEGFAULT;
      auto bracket = msg.find('[');
      e.process = std::string(trim(msg.substr(0, bracket == std::string_view::npos ? 0 : bracket)));
    } else {
      continue;
    }
    e.message = std::string(msg.substr(0, 300));
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> collect_kernel_log(CollectContext& ctx, v1::Snapshot& out) {
  auto* log = out.mutable_health()->mutable_kernel_log();
  auto text = ctx.fs().read_available("/dev/kmsg", 2 * 1024 * 1024);
  if (!text) {
    log->set_readable(false);
    ctx.note("kernel log unreadable (" + text.error().message + "); needs root");
    return {};
  }
  log->set_readable(true);
  std::int64_t boot_ms = 0;
  if (auto st = ctx.fs().read("/proc/stat", 1024 * 1024))
    boot_ms = parse_boot_time(*st).value_or(0) * 1000;
  auto events = parse_kmsg(*text);
  for (const auto& e : events) {
    switch (e.kind) {
      case KernelEvent::OOM_KILL:
        log->set_oom_kills(log->oom_kills() + 1);
        break;
      case KernelEvent::IO_ERROR:
        log->set_io_errors(log->io_errors() + 1);
        break;
      case KernelEvent::FS_ERROR:
        log->set_fs_errors(log->fs_errors() + 1);
        break;
      case KernelEvent::HUNG_TASK:
        log->set_hung_tasks(log->hung_tasks() + 1);
        break;
      case KernelEvent::SEGFAULT:
        log->set_segfaults(log->segfaults() + 1);
        break;
      default:
        break;
    }
  }
  constexpr std::size_t kRecent = 20;
  for (std::size_t i = events.size() > kRecent ? events.size() - kRecent : 0; i < events.size();
       ++i) {
    const auto& e = events[i];
    auto* r = log->add_recent();
    r->set_kind(e.kind);
    if (boot_ms > 0)
      r->set_time_unix_ms(boot_ms + static_cast<std::int64_t>(e.usec_since_boot / 1000));
    r->set_message(e.message);
    r->set_process(e.process);
    r->set_device(e.device);
  }
  return {};
}

}  // namespace triage::agent
