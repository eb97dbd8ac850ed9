// The proxy variables a Windows snapshot process gets from the daemon's environment (Windows
// environment names are case-insensitive: one spelling each). The Windows proxy collector
// (WinHTTP and the user's Internet settings) comes with the Windows diagnostics.
#include <array>

#include "agent/collectors/proxy_variables.hpp"

namespace triage::agent {
namespace {

constexpr std::array<std::string_view, 5> kVariables = {"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY",
                                                        "ALL_PROXY", "NO_PROXY"};

}  // namespace

std::span<const std::string_view> proxy_environment_variables() { return kVariables; }

}  // namespace triage::agent
