// windows_wifi: the WLAN API's answer (band, quality, strength), merged into the adapters by
// interface GUID; a machine without WLAN service; answers that are wrong or lie.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_wifi.hpp"
#include "tests/agent/collectors/windows_sources/network_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_wifi: band from the frequency, else from an unambiguous channel",
          "[windows_wifi]") {
  using F = std::optional<std::uint64_t>;
  CHECK(wifi_band(F(2437000), F(6), "802.11n") == "2.4 GHz");
  CHECK(wifi_band(F(5220000), F(44), "802.11ac") == "5 GHz");
  CHECK(wifi_band(F(5955000), F(1), "802.11ax") == "6 GHz");
  CHECK(wifi_band(F(60480000), F(2), "802.11ad") == "");
  CHECK(wifi_band(std::nullopt, F(6), "802.11n") == "2.4 GHz");
  CHECK(wifi_band(std::nullopt, F(1), "802.11n") == "2.4 GHz");
  CHECK(wifi_band(std::nullopt, F(1), "802.11ax") == "");  // 2.4 GHz ch 1 or 6 GHz ch 1
  CHECK(wifi_band(std::nullopt, F(6), "802.11ax") == "2.4 GHz");
  CHECK(wifi_band(std::nullopt, F(36), "802.11ax") == "5 GHz");
  CHECK(wifi_band(std::nullopt, F(149), "802.11ac") == "5 GHz");
  CHECK(wifi_band(std::nullopt, F(149), "802.11ax") == "");  // 5 GHz ch 149 or 6 GHz ch 149
  CHECK(wifi_band(std::nullopt, F(197), "802.11ax") == "6 GHz");
  CHECK(wifi_band(std::nullopt, F(200), "802.11ax") == "");
  CHECK(wifi_band(std::nullopt, std::nullopt, "802.11ac") == "");
  CHECK(wifi_band(std::nullopt, F(0), "") == "");
}

TEST_CASE("windows_wifi: quality to dBm as the WLAN API documents it", "[windows_wifi]") {
  CHECK(wifi_quality_to_dbm(0) == -100);
  CHECK(wifi_quality_to_dbm(78) == -61);
  CHECK(wifi_quality_to_dbm(100) == -50);
  CHECK(wifi_quality_to_dbm(250) == -50);
}

TEST_CASE("windows_wifi: the laptop's connection", "[windows_wifi][recorded][win11-laptop]") {
  auto doc = nlohmann::json::parse(
      std::ifstream(testing::recorded_machine_dir("win11-laptop") + "/api/wlan.json"));
  auto state = parse_wlan_answer(doc);
  REQUIRE(state);
  CHECK(state->note.empty());
  REQUIRE(state->links.size() == 1);
  const auto& link = state->links[0];
  CHECK(link.guid == "9a1e5c3b-7d2f-4e8a-b6c1-3f5d7e9a2b40");
  CHECK(link.ssid == "CORP-WLAN");
  CHECK(link.band == "5 GHz");
  CHECK(link.quality_percent == 78.0f);
  CHECK(link.signal_dbm == -60);  // the BSS's RSSI, not the estimate from the quality
}

TEST_CASE("windows_wifi: the server has no WLAN service", "[windows_wifi][recorded][server2022]") {
  auto doc = nlohmann::json::parse(
      std::ifstream(testing::recorded_machine_dir("server2022") + "/api/wlan.json"));
  auto state = parse_wlan_answer(doc);
  REQUIRE(state);
  CHECK(state->links.empty());
  CHECK(state->note.starts_with("no WLAN service: wlanapi.dll not present"));
}

TEST_CASE("windows_wifi: without RSSI the quality gives the strength, bad values are dropped",
          "[windows_wifi][hostile]") {
  auto doc = nlohmann::json::parse(R"({"available": true, "interfaces": [
      {"guid": "{9A1E5C3B-7D2F-4E8A-B6C1-3F5D7E9A2B40}", "state": "connected",
       "ssid": "Cafe Guest Network With A Very Long Name Indeed", "signal_quality": 78,
       "rssi_dbm": 12, "channel": 6, "phy_type": "802.11n"},
      {"guid": "{11111111-2222-3333-4444-555555555555}", "state": "connected",
       "signal_quality": 400, "rssi_dbm": "-40", "frequency_khz": -5},
      {"guid": "{22222222-2222-3333-4444-555555555555}", "state": "disconnected", "ssid": "x"},
      {"state": "connected", "ssid": "no guid"},
      "nonsense", 5, null]})");
  auto state = parse_wlan_answer(doc);
  REQUIRE(state);
  REQUIRE(state->links.size() == 2);
  CHECK(state->links[0].ssid.size() == 32);
  CHECK(state->links[0].band == "2.4 GHz");
  CHECK(state->links[0].signal_dbm == -61);  // RSSI 12 is not a reading
  CHECK_FALSE(state->links[1].quality_percent);
  CHECK_FALSE(state->links[1].signal_dbm);
  CHECK(state->links[1].band.empty());
}

TEST_CASE("windows_wifi: answers that are not a WLAN answer", "[windows_wifi][hostile]") {
  CHECK_FALSE(parse_wlan_answer(nlohmann::json::array()));
  CHECK_FALSE(parse_wlan_answer(nlohmann::json::parse(R"({"interfaces": "wlan0"})")));
  CHECK_FALSE(parse_wlan_answer(nlohmann::json::parse(R"({"available": true})")));
  auto absent = parse_wlan_answer(nlohmann::json::parse(R"({"available": false})"));
  REQUIRE(absent);
  CHECK(absent->note == "no WLAN service");
}

TEST_CASE("windows_wifi: a huge interface list is bounded, an unknown GUID noted",
          "[windows_wifi][hostile]") {
  std::string wlan = R"({"available": true, "interfaces": [)";
  for (int i = 0; i < 5000; ++i) {
    wlan += (i ? "," : "") + std::string(R"({"guid": "{00000000-0000-0000-0000-)") +
            std::to_string(100000000000 + i) + R"(}", "state": "connected", "ssid": "x"})";
  }
  wlan += "]}";
  auto state = parse_wlan_answer(nlohmann::json::parse(wlan));
  REQUIRE(state);
  CHECK(state->links.size() == 16);

  testing::ScratchMachine m;
  m.copy("win11-laptop", "api/adapters.json").write("api/wlan.json", wlan);
  auto snap = m.collect("windows_adapters");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(),
             Catch::Contains("Wi-Fi interface {00000000-0000-0000-0000-100000000000} is not "
                             "among the adapters"));
  for (const auto& i : snap.network().interfaces()) CHECK(i.wifi_ssid().empty());
}

TEST_CASE("windows_wifi: a wlan answer of the wrong shape leaves the adapters intact",
          "[windows_wifi][hostile]") {
  testing::ScratchMachine m;
  m.copy("win11-laptop", "api/adapters.json").write("api/wlan.json", R"(["CORP-WLAN"])");
  auto snap = m.collect("windows_adapters");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("Wi-Fi: the wlan answer is not"));
  CHECK(snap.network().interfaces_size() == 6);
}
