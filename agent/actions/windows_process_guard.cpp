#include "agent/actions/windows_process_guard.hpp"

#include <array>
#include <string>

namespace triage::agent {

namespace {

struct DeniedImage {
  std::string_view name;
  std::string_view why;
};

constexpr std::string_view kCritical =
    "a critical system process: ending it stops Windows with a blue screen";
constexpr std::string_view kSessions = "ending it ends or locks out every user's session";

constexpr std::array kNeverKilled = {
    DeniedImage{"smss.exe", kCritical},
    DeniedImage{"csrss.exe", kCritical},
    DeniedImage{"wininit.exe", kCritical},
    DeniedImage{"services.exe", kCritical},
    DeniedImage{"lsass.exe", kCritical},
    DeniedImage{"LsaIso.exe", kCritical},
    DeniedImage{"System", kCritical},
    DeniedImage{"Registry", kCritical},
    DeniedImage{"Memory Compression", kCritical},
    DeniedImage{"winlogon.exe", kSessions},
    DeniedImage{"LogonUI.exe", "the logon and lock screen: ending it must never unlock a session"},
    DeniedImage{"svchost.exe",
                "hosts several services, some of them critical; restart the service instead "
                "(restart-windows-service)"},
    DeniedImage{"MsMpEng.exe", "the antivirus engine (Windows protects it anyway)"},
    DeniedImage{"triage-agent.exe", "this agent, which runs the order"},
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string_view image_file_name(std::string_view image_path) {
  const auto sep = image_path.find_last_of("\\/");
  return sep == std::string_view::npos ? image_path : image_path.substr(sep + 1);
}

bool same_image_name(std::string_view image_path, std::string_view expected) {
  return !expected.empty() && equal_ignoring_case(image_file_name(image_path), expected);
}

Result<void> check_killable_windows_image(std::string_view image_name) {
  const std::string shown(image_name.substr(0, 100));
  for (const auto& denied : kNeverKilled) {
    if (equal_ignoring_case(image_name, denied.name)) {
      return fail(ErrorCode::kDenied,
                  "kill-process refuses to end " + shown + ": " + std::string(denied.why));
    }
  }
  const bool exe = image_name.size() > 4 &&
                   equal_ignoring_case(image_name.substr(image_name.size() - 4), ".exe");
  if (!exe || image_name.find_first_of("\\/:") != std::string_view::npos) {
    return fail(ErrorCode::kDenied,
                "kill-process needs a program's file name ending in .exe, not `" + shown + "`");
  }
  return {};
}

}  // namespace triage::agent
