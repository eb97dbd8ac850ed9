// The Windows actions' subcommands on Linux: their definitions say platform "windows", which a
// Linux agent refuses before running anything. Run by hand, each says so.
#include "agent/actions/windows_action_commands.hpp"

namespace triage::agent {

namespace {

int not_here(const char* what, std::ostream& err) {
  err << what << ": not available on Linux (a Windows action)\n";
  return 2;
}

}  // namespace

int run_restart_windows_service(const std::string&, std::ostream&, std::ostream& err,
                                std::chrono::milliseconds) {
  return not_here("restart-service", err);
}

int run_windows_service_running(const std::string&, std::ostream&, std::ostream& err,
                                std::chrono::milliseconds) {
  return not_here("service-running", err);
}

int run_clear_windows_print_queue(const PrintQueueTarget&, std::ostream&, std::ostream& err) {
  return not_here("clear-print-queue", err);
}

int run_windows_print_queue_empty(const PrintQueueTarget&, std::ostream&, std::ostream& err) {
  return not_here("print-queue-empty", err);
}

int run_flush_windows_dns(std::ostream&, std::ostream& err) { return not_here("flush-dns", err); }

int run_reboot_windows(unsigned, std::ostream&, std::ostream& err) {
  return not_here("reboot", err);
}

int run_renew_windows_dhcp(std::ostream&, std::ostream& err) { return not_here("renew-dhcp", err); }

int run_restart_windows_explorer(const std::string&, const ExplorerTarget&, std::ostream&,
                                 std::ostream& err) {
  return not_here("restart-explorer", err);
}

int run_windows_explorer_running(const std::string&, const ExplorerTarget&, std::ostream&,
                                 std::ostream& err) {
  return not_here("explorer-running", err);
}

}  // namespace triage::agent
