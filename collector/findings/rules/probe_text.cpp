#include "collector/findings/rules/probe_text.hpp"

namespace triage::collector::rules {
namespace {

const char* oper_state_name(v1::NetworkInterface::OperState state) {
  switch (state) {
    case v1::NetworkInterface::UP:
      return "up";
    case v1::NetworkInterface::DOWN:
      return "down";
    case v1::NetworkInterface::DORMANT:
      return "dormant";
    case v1::NetworkInterface::LOWER_LAYER_DOWN:
      return "lower layer down";
    case v1::NetworkInterface::NOT_PRESENT:
      return "not present";
    case v1::NetworkInterface::TESTING:
      return "testing";
    default:
      return "state unknown";
  }
}

}  // namespace

bool probe_failed(const v1::Probe& probe) {
  return probe.result() == v1::Probe::FAILED || probe.result() == v1::Probe::TIMEOUT;
}

std::string probe_result_name(v1::Probe::Result result) {
  switch (result) {
    case v1::Probe::OK:
      return "ok";
    case v1::Probe::FAILED:
      return "failed";
    case v1::Probe::TIMEOUT:
      return "timeout";
    case v1::Probe::SKIPPED:
      return "skipped";
    default:
      return "unknown";
  }
}

std::string describe_default_interface(const v1::NetworkInfo& network) {
  if (network.default_interface().empty()) return {};
  for (const auto& i : network.interfaces()) {
    if (i.name() != network.default_interface()) continue;
    std::string text = i.name() + ": " + oper_state_name(i.state());
    if (i.has_carrier()) text += std::string(", carrier ") + (i.carrier() ? "yes" : "no");
    if (i.has_wifi_signal_dbm())
      text += ", Wi-Fi signal " + std::to_string(i.wifi_signal_dbm()) + " dBm";
    return text;
  }
  return network.default_interface() + ": not in the interface list";
}

}  // namespace triage::collector::rules
