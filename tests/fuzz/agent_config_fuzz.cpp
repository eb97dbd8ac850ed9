// The agent's configuration file (agent/service/agent_config.cpp, parse_agent_config): TOML
// the endpoint owner writes, read by a daemon running as root.

#include "agent/service/agent_config.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto config = agent::parse_agent_config(
      std::string_view(reinterpret_cast<const char*>(data), size), "agent.toml");
  if (config) {
    (void)config->policy.allows("flush-dns", agent::ActionRisk::kLow);
    (void)config->policy.pins_custom(std::string(64, 'a'));
  }
  return 0;
}
