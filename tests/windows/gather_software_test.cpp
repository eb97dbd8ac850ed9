// The software area's Win32 gatherers, for real (under Wine in `make test`): services and
// processes answer in the shape their sources read, this process among them; Windows Update
// answers or says why not, and never past its deadline.
#include "shared/util/windows/windows_api.hpp"

#include <cctype>
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "agent/collectors/windows/gather_software.hpp"

namespace ta = triage::agent;

TEST_CASE("windows gatherers: services", "[windows][gather]") {
  auto answer = ta::gather_services();
  REQUIRE(answer);
  REQUIRE((*answer)["services"].is_array());
  CHECK_FALSE((*answer)["services"].empty());
  bool rpc = false;
  for (const auto& s : (*answer)["services"]) {
    REQUIRE(s["name"].is_string());
    CHECK(s["current_state"].is_number_unsigned());
    // Service names ignore case (Wine spells it "RpcSs" too, but "Eventlog").
    auto name = s["name"].get<std::string>();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "rpcss") rpc = true;
  }
  CHECK(rpc);
}

TEST_CASE("windows gatherers: processes, this one among them", "[windows][gather]") {
  const auto t0 = std::chrono::steady_clock::now();
  auto answer = ta::gather_processes();
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(answer);
  CHECK(took < std::chrono::seconds(10));
  CHECK((*answer)["sample_ms"].get<std::uint64_t>() >= 250);
  CHECK((*answer)["memory_total_bytes"].get<std::uint64_t>() > 0);
  bool self = false;
  for (const auto& p : (*answer)["processes"]) {
    if (p["pid"].get<std::uint64_t>() != ::GetCurrentProcessId()) continue;
    self = true;
    CHECK(p["name"].get<std::string>().find("triage_windows_tests") != std::string::npos);
    CHECK(p["working_set_bytes"].get<std::uint64_t>() > 0);
    CHECK(p.contains("cpu_window_us"));
  }
  CHECK(self);
}

TEST_CASE("windows gatherers: Windows Update answers or says why not", "[windows][gather]") {
  const auto t0 = std::chrono::steady_clock::now();
  auto answer = ta::gather_windows_update();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(70));
  if (answer) {
    CHECK((*answer)["updates"].is_array());
    CHECK((*answer)["searched_unix_ms"].get<std::int64_t>() > 0);
  } else {
    // Wine's agent is a stub: not found, as on a system without one.
    CHECK_FALSE(answer.error().message.empty());
  }
}
