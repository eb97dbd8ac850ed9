// The health gatherers for real (under Wine in `make test`): memory status, volumes and
// printers answer in the shapes windows_sources/win_api_names.hpp documents, within their
// deadlines, whatever the system lacks.
#include <chrono>
#include <cstdint>

#include <catch2/catch.hpp>

#include "agent/collectors/windows/gather_health.hpp"

namespace ta = triage::agent;

TEST_CASE("gather_memory_status: physical memory, and commit in pages", "[windows][health]") {
  auto answer = ta::gather_memory_status();
  REQUIRE(answer);
  const auto& ex = answer->at("memory_status_ex");
  CHECK(ex.at("ullTotalPhys").get<std::uint64_t>() > 0);
  CHECK(ex.at("ullAvailPhys").get<std::uint64_t>() <= ex.at("ullTotalPhys").get<std::uint64_t>());
  // Wine answers GetPerformanceInfo too (with zeros where it keeps no count).
  if (answer->contains("performance_information")) {
    const auto& perf = answer->at("performance_information");
    CHECK(perf.at("PageSize").get<std::uint64_t>() > 0);
    CHECK(perf.at("CommitLimit").get<std::uint64_t>() > 0);
  }
}

TEST_CASE("gather_volumes: the system drive, in time", "[windows][health]") {
  const auto start = std::chrono::steady_clock::now();
  auto answer = ta::gather_volumes();
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(answer);
  CHECK(took < std::chrono::seconds(6));
  const nlohmann::json* system = nullptr;
  for (const auto& v : answer->at("volumes")) {
    if (v.at("root") == "C:\\") system = &v;
  }
  REQUIRE(system);
  CHECK(system->at("drive_type") == 3);
  CHECK(system->at("total_bytes").get<std::uint64_t>() > 0);
  CHECK(system->at("free_bytes").get<std::uint64_t>() <=
        system->at("total_bytes").get<std::uint64_t>());
  CHECK_FALSE(system->at("file_system").get<std::string>().empty());
}

TEST_CASE("gather_printers: the spooler's state, and printers or why not", "[windows][health]") {
  auto answer = ta::gather_printers();
  REQUIRE(answer);
  REQUIRE(answer->contains("spooler"));
  CHECK((answer->contains("printers") || answer->contains("error")));
  if (answer->contains("printers")) CHECK(answer->at("printers").is_array());
}
