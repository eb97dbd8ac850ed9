// A TOML action definition (shared/actions/action_definition.cpp): written by an admin over
// the API, read from the collector's definitions directory, and carried in a custom order to
// the agent. When one parses, its parameters are validated against texts from the input and
// its argv rendered, as an order is.

#include <utility>
#include <vector>

#include "shared/actions/action_definition.hpp"
#include "shared/actions/action_params.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace triage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  auto value = in.piece();
  auto def = actions::parse_action_definition(in.rest(), "fuzz.toml");
  if (!def) return 0;
  std::vector<std::pair<std::string, std::string>> given;
  for (const auto& param : def->params) given.emplace_back(param.name, std::string(value));
  if (auto values = actions::validate_param_texts(*def, given)) {
    (void)actions::resolve_argv(def->argv, *values);
  }
  return 0;
}
