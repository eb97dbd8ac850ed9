// Windows time zone key names to IANA zone names: the "001" (default territory) rows of the
// Unicode CLDR windowsZones table, the mapping ICU and every IANA-based system use. Keys are
// lower case: Windows compares its names without case.
#include "agent/collectors/windows_sources/windows_time_zones.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "agent/collectors/text.hpp"

namespace triage::agent {

std::string iana_time_zone(std::string_view windows_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 94> kZones = {{
      {"afghanistan standard time", "Asia/Kabul"},
      {"alaskan standard time", "America/Anchorage"},
      {"arab standard time", "Asia/Riyadh"},
      {"arabian standard time", "Asia/Dubai"},
      {"arabic standard time", "Asia/Baghdad"},
      {"argentina standard time", "America/Argentina/Buenos_Aires"},
      {"atlantic standard time", "America/Halifax"},
      {"aus central standard time", "Australia/Darwin"},
      {"aus eastern standard time", "Australia/Sydney"},
      {"azerbaijan standard time", "Asia/Baku"},
      {"azores standard time", "Atlantic/Azores"},
      {"bahia standard time", "America/Bahia"},
      {"bangladesh standard time", "Asia/Dhaka"},
      {"canada central standard time", "America/Regina"},
      {"cape verde standard time", "Atlantic/Cape_Verde"},
      {"caucasus standard time", "Asia/Yerevan"},
      {"cen. australia standard time", "Australia/Adelaide"},
      {"central america standard time", "America/Guatemala"},
      {"central asia standard time", "Asia/Almaty"},
      {"central brazilian standard time", "America/Cuiaba"},
      {"central europe standard time", "Europe/Budapest"},
      {"central european standard time", "Europe/Warsaw"},
      {"central pacific standard time", "Pacific/Guadalcanal"},
      {"central standard time", "America/Chicago"},
      {"china standard time", "Asia/Shanghai"},
      {"dateline standard time", "Etc/GMT+12"},
      {"e. africa standard time", "Africa/Nairobi"},
      {"e. australia standard time", "Australia/Brisbane"},
      {"e. europe standard time", "Asia/Nicosia"},
      {"e. south america standard time", "America/Sao_Paulo"},
      {"eastern standard time", "America/New_York"},
      {"egypt standard time", "Africa/Cairo"},
      {"ekaterinburg standard time", "Asia/Yekaterinburg"},
      {"fiji standard time", "Pacific/Fiji"},
      {"georgian standard time", "Asia/Tbilisi"},
      {"gmt standard time", "Europe/London"},
      {"greenland standard time", "America/Nuuk"},
      {"gtb standard time", "Europe/Istanbul"},
      {"hawaiian standard time", "Pacific/Honolulu"},
      {"india standard time", "Asia/Kolkata"},
      {"iran standard time", "Asia/Tehran"},
      {"israel standard time", "Asia/Jerusalem"},
      {"jordan standard time", "Asia/Amman"},
      {"kaliningrad standard time", "Europe/Kaliningrad"},
      {"korea standard time", "Asia/Seoul"},
      {"magadan standard time", "Asia/Magadan"},
      {"mauritius standard time", "Indian/Mauritius"},
      {"middle east standard time", "Asia/Beirut"},
      {"montevideo standard time", "America/Montevideo"},
      {"morocco standard time", "Africa/Casablanca"},
      {"mountain standard time", "America/Denver"},
      {"myanmar standard time", "Asia/Yangon"},
      {"n. central asia standard time", "Asia/Novosibirsk"},
      {"namibia standard time", "Africa/Windhoek"},
      {"nepal standard time", "Asia/Kathmandu"},
      {"new zealand standard time", "Pacific/Auckland"},
      {"newfoundland standard time", "America/St_Johns"},
      {"north asia east standard time", "Asia/Irkutsk"},
      {"north asia standard time", "Asia/Krasnoyarsk"},
      {"pacific sa standard time", "America/Santiago"},
      {"pacific standard time", "America/Los_Angeles"},
      {"pakistan standard time", "Asia/Karachi"},
      {"paraguay standard time", "America/Asuncion"},
      {"romance standard time", "Europe/Paris"},
      {"russian standard time", "Europe/Moscow"},
      {"sa eastern standard time", "America/Cayenne"},
      {"sa pacific standard time", "America/Bogota"},
      {"sa western standard time", "America/La_Paz"},
      {"samoa standard time", "Pacific/Apia"},
      {"se asia standard time", "Asia/Bangkok"},
      {"singapore standard time", "Asia/Singapore"},
      {"south africa standard time", "Africa/Johannesburg"},
      {"sri lanka standard time", "Asia/Colombo"},
      {"syria standard time", "Asia/Damascus"},
      {"taipei standard time", "Asia/Taipei"},
      {"tasmania standard time", "Australia/Hobart"},
      {"tokyo standard time", "Asia/Tokyo"},
      {"tonga standard time", "Pacific/Tongatapu"},
      {"turkey standard time", "Europe/Istanbul"},
      {"ulaanbaatar standard time", "Asia/Ulaanbaatar"},
      {"us eastern standard time", "America/Indiana/Indianapolis"},
      {"us mountain standard time", "America/Phoenix"},
      {"utc", "Etc/UTC"},
      {"utc+12", "Etc/GMT-12"},
      {"utc-02", "Etc/GMT+2"},
      {"utc-11", "Etc/GMT+11"},
      {"venezuela standard time", "America/Caracas"},
      {"vladivostok standard time", "Asia/Vladivostok"},
      {"w. australia standard time", "Australia/Perth"},
      {"w. central africa standard time", "Africa/Lagos"},
      {"w. europe standard time", "Europe/Berlin"},
      {"west asia standard time", "Asia/Tashkent"},
      {"west pacific standard time", "Pacific/Port_Moresby"},
      {"yakutsk standard time", "Asia/Yakutsk"},
  }};
  const std::string key = to_lower(windows_name);
  auto it = std::lower_bound(kZones.begin(), kZones.end(), key,
                             [](const auto& row, const std::string& k) { return row.first < k; });
  if (it == kZones.end() || it->first != key) return {};
  return std::string(it->second);
}

}  // namespace triage::agent
