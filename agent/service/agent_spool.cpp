#include "agent/service/agent_spool.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "shared/util/files.hpp"

namespace triage::agent {

Result<spool::SpoolPtr> open_agent_spool(const StateDir& state, spool::SpoolLimits limits) {
  auto opened = spool::Spool::open(state.spool(), limits);
  if (!opened) return opened;
  if (auto text = read_file(state.legacy_sequence(), 64)) {
    std::uint64_t next = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), next);
    if (ec == std::errc() && next > 1) {
      if (auto r = (*opened)->ensure_next_seq_above(next - 1); !r) return tl::unexpected(r.error());
    }
    std::error_code ignored;
    std::filesystem::remove(state.legacy_sequence(), ignored);
    spdlog::info("sequence counter moved into the spool (next #{})", next);
  }
  return opened;
}

}  // namespace triage::agent
