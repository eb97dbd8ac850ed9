// The Windows probes and the token file check, for real: a folder tree walked by disk_usage, a
// socket this test listens on found by listening, a token file's ACL judged by
// check_token_file_permissions.
#include "shared/util/windows/windows_api.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <aclapi.h>
#include <sddl.h>

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "agent/probes/disk_usage_probe.hpp"
#include "agent/probes/listening_probe.hpp"
#include "agent/probes/path_probe.hpp"
#include "agent/service/token_file_permissions.hpp"
#include "shared/util/windows/wide_string.hpp"
#include "tests/windows/windows_test_support.hpp"

namespace ta = triage::agent;
namespace v1 = triage::v1;

namespace {

void write_bytes(const std::filesystem::path& path, std::size_t n) {
  std::ofstream out(path, std::ios::binary);
  out << std::string(n, 'x');
}

std::string utf8(const std::filesystem::path& p) { return triage::narrow(p.wstring()); }

/// Replaces `path`'s DACL with the SDDL's, without inheritance; false when the system does not
/// keep it (Wine keeps no security descriptors of files).
bool set_security(const std::filesystem::path& path, const wchar_t* sddl) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  REQUIRE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &descriptor,
                                                                 nullptr));
  PACL dacl = nullptr;
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  REQUIRE(::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted));
  const DWORD rc =
      ::SetNamedSecurityInfoW(const_cast<wchar_t*>(path.c_str()), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              nullptr, nullptr, dacl, nullptr);
  ::LocalFree(descriptor);
  REQUIRE(rc == ERROR_SUCCESS);
  PSECURITY_DESCRIPTOR kept = nullptr;
  PACL kept_dacl = nullptr;
  REQUIRE(::GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                  nullptr, &kept_dacl, nullptr, &kept) == ERROR_SUCCESS);
  wchar_t* text = nullptr;
  REQUIRE(::ConvertSecurityDescriptorToStringSecurityDescriptorW(
      kept, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr));
  const std::wstring kept_sddl(text);
  ::LocalFree(text);
  ::LocalFree(kept);
  return kept_sddl.find(L"D:P") != std::wstring::npos;
}

}  // namespace

TEST_CASE("Windows disk_usage probe: the folder's total and its largest folders, largest first") {
  triage::testing::WindowsTempDir temp;
  const auto root = temp.path() / L"tree";
  std::filesystem::create_directories(root / L"big" / L"inner");
  std::filesystem::create_directories(root / L"small");
  write_bytes(root / L"big" / L"a.bin", 300'000);
  write_bytes(root / L"big" / L"inner" / L"b.bin", 200'000);
  write_bytes(root / L"small" / L"c.bin", 1'000);
  write_bytes(root / L"top.txt", 10);

  v1::ProbePayload request;
  request.set_probe("disk_usage");
  request.mutable_disk_usage()->set_path(utf8(root));
  request.mutable_disk_usage()->set_max_depth(1);
  request.mutable_disk_usage()->set_top(10);
  ta::ProbeBudget budget(std::chrono::seconds(10), 64 * 1024);
  v1::ProbeResult result;
  ta::run_disk_usage_probe(request, budget, {}, result);

  INFO(result.reason());
  const auto& usage = result.disk_usage();
  CHECK(usage.total_bytes() == 501'010);
  CHECK(usage.files() == 4);
  REQUIRE(usage.largest_size() == 2);
  CHECK(usage.largest(0).path() == utf8(root / L"big"));
  CHECK(usage.largest(0).bytes() == 500'000);
  CHECK(usage.largest(1).bytes() == 1'000);
  CHECK_FALSE(budget.exceeded());
}

TEST_CASE("Windows disk_usage probe: a file is not a folder to walk") {
  triage::testing::WindowsTempDir temp;
  write_bytes(temp.path() / L"file.txt", 5);
  v1::ProbePayload request;
  request.set_probe("disk_usage");
  request.mutable_disk_usage()->set_path(utf8(temp.path() / L"file.txt"));
  request.mutable_disk_usage()->set_max_depth(1);
  request.mutable_disk_usage()->set_top(5);
  ta::ProbeBudget budget(std::chrono::seconds(5), 4096);
  v1::ProbeResult result;
  ta::run_disk_usage_probe(request, budget, {}, result);
  CHECK_THAT(result.reason(), Catch::Contains("is not a directory"));
}

TEST_CASE("Windows listening probe: a TCP port this process listens on is found") {
  WSADATA wsa{};
  REQUIRE(::WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
  const SOCKET listener = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  REQUIRE(listener != INVALID_SOCKET);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  int length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const auto port = ntohs(address.sin_port);

  v1::ProbePayload request;
  request.set_probe("listening");
  request.mutable_listening();
  ta::ProbeBudget budget(std::chrono::seconds(10), 256 * 1024);
  v1::ProbeResult result;
  ta::run_listening_probe(request, budget, {}, result);
  ::closesocket(listener);
  ::WSACleanup();

  const v1::ListeningSocket* found = nullptr;
  for (const auto& s : result.listening().sockets()) {
    if (s.protocol() == "tcp" && s.port() == port) found = &s;
  }
  INFO("port " << port << ", " << result.listening().sockets_size() << " sockets listed");
  REQUIRE(found != nullptr);
  CHECK(found->address() == "127.0.0.1");
  if (found->pid() == 0) {
    WARN("this system reports no owning process for sockets (Wine); owner not checked");
    CHECK(found->process().empty());
    return;
  }
  CHECK(found->pid() == ::GetCurrentProcessId());
  CHECK(found->process() == "triage_windows_tests.exe");
}

TEST_CASE("Windows token file: SYSTEM and Administrators only is accepted") {
  triage::testing::WindowsTempDir temp;
  const auto token = temp.path() / L"enroll.token";
  write_bytes(token, 32);
  if (!set_security(token, L"D:P(A;;FA;;;SY)(A;;FA;;;BA)")) {
    WARN("this system does not keep the security descriptors of files; judged as it reports them");
  }
  const auto checked = ta::check_token_file_permissions(token);
  INFO((checked ? std::string() : checked.error().message));
  CHECK(checked);
}

TEST_CASE("Windows token file: one that Users may write is refused, naming them") {
  triage::testing::WindowsTempDir temp;
  const auto token = temp.path() / L"enroll.token";
  write_bytes(token, 32);
  if (!set_security(token, L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FRFW;;;BU)")) {
    WARN("this system does not keep the security descriptors of files; not checked");
    return;
  }
  const auto checked = ta::check_token_file_permissions(token);
  REQUIRE_FALSE(checked);
  CHECK_THAT(checked.error().message,
             Catch::Contains("S-1-5-32-545") && Catch::Contains("write it"));
}

TEST_CASE("Windows token file: a folder is not a token file") {
  triage::testing::WindowsTempDir temp;
  const auto checked = ta::check_token_file_permissions(temp.path());
  REQUIRE_FALSE(checked);
  CHECK_THAT(checked.error().message, Catch::Contains("not a regular file"));
}

TEST_CASE("Windows path probe: 127.0.0.1 is reached at the first hop through the ICMP helper") {
  v1::ProbePayload request;
  request.set_probe("path");
  request.mutable_path()->set_host("127.0.0.1");
  request.mutable_path()->set_max_hops(5);
  ta::ProbeBudget budget(std::chrono::seconds(10), 16 * 1024);
  v1::ProbeResult result;
  ta::run_path_probe(request, budget, {}, result);
  const auto& path = result.path();
  INFO(path.error());
  CHECK(path.method() == "icmp");
  CHECK(path.error().empty());
  CHECK(path.address() == "127.0.0.1");
  CHECK(path.reached());
  REQUIRE(path.hops_size() == 1);
  CHECK(path.hops(0).reached());
  CHECK(path.hops(0).address() == "127.0.0.1");
  CHECK_FALSE(budget.exceeded());
}
