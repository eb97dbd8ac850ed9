#include "agent/actions/action_journal.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "shared/pki/secrets.hpp"

namespace triage::agent {

namespace {

const std::string kGenesis(64, '0');

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS nonces (
  nonce BLOB PRIMARY KEY,
  order_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
)sql";

constexpr std::int64_t kForgetAfterMs = 24 * 3600 * 1000LL;

}  // namespace

std::string history_hash(std::string_view prev_hash, std::string_view data_text) {
  std::string input(prev_hash);
  input.push_back('\n');
  input.append(data_text);
  return pki::sha256_hex(input);
}

Result<std::unique_ptr<ActionJournal>> ActionJournal::open(const std::filesystem::path& path) {
  sqlite::OpenOptions options;
  // An accepted nonce must survive a power cut, or a replay after one would run again.
  options.durability = sqlite::Durability::kPowerLoss;
  auto db = sqlite::Database::open(path, options);
  if (!db) return fail("action journal " + path.string(), db.error());
  if (auto r = (*db)->exec(kSchema); !r) return fail("action journal " + path.string(), r.error());
  return std::unique_ptr<ActionJournal>(new ActionJournal(std::move(*db)));
}

Result<bool> ActionJournal::remember_nonce(std::string_view nonce, std::string_view order_id,
                                           std::int64_t expires_at_unix_ms,
                                           std::int64_t now_unix_ms) {
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto prune = db_->prepare("DELETE FROM nonces WHERE expires_at < ?");
    if (!prune) return tl::unexpected(prune.error());
    prune->bind(1, now_unix_ms - kForgetAfterMs);
    if (auto r = prune->run(); !r) return tl::unexpected(r.error());
    auto st =
        db_->prepare("INSERT OR IGNORE INTO nonces(nonce, order_id, expires_at) VALUES (?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind_blob(1, nonce).bind(2, order_id).bind(3, expires_at_unix_ms);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    return db_->changes() == 1;
  });
}

Result<std::string> ActionJournal::append(std::int64_t at_unix_ms, const nlohmann::json& data) {
  return sqlite::in_transaction(*db_, [&]() -> Result<std::string> {
    auto head = db_->prepare("SELECT hash FROM history ORDER BY id DESC LIMIT 1");
    if (!head) return tl::unexpected(head.error());
    auto row = head->step();
    if (!row) return tl::unexpected(row.error());
    const std::string prev = *row ? head->column_text(0) : kGenesis;
    const std::string text = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string hash = history_hash(prev, text);
    auto st = db_->prepare("INSERT INTO history(at, data, prev_hash, hash) VALUES (?,?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, at_unix_ms).bind(2, text).bind(3, prev).bind(4, hash);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    std::string raw;
    for (std::size_t i = 0; i + 1 < hash.size(); i += 2) {
      raw.push_back(static_cast<char>(std::stoi(hash.substr(i, 2), nullptr, 16)));
    }
    return raw;
  });
}

std::string ActionJournal::record(const nlohmann::json& data) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto head = append(now, data);
  if (!head) {
    spdlog::error("history: {}", head.error().message);
    return "";
  }
  return *head;
}

Result<std::vector<HistoryEntry>> ActionJournal::entries() {
  auto st = db_->prepare("SELECT id, at, data, prev_hash, hash FROM history ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  std::vector<HistoryEntry> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    HistoryEntry e;
    e.id = st->column_int(0);
    e.at_unix_ms = st->column_int(1);
    e.data = nlohmann::json::parse(st->column_text(2), nullptr, false);
    e.prev_hash = st->column_text(3);
    e.hash = st->column_text(4);
    out.push_back(std::move(e));
  }
}

Result<std::optional<ChainBreak>> ActionJournal::verify() {
  auto st = db_->prepare("SELECT id, data, prev_hash, hash FROM history ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  std::string expected_prev = kGenesis;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return std::optional<ChainBreak>();
    const auto id = st->column_int(0);
    const auto data = st->column_text(1);
    const auto prev = st->column_text(2);
    const auto hash = st->column_text(3);
    if (prev != expected_prev) {
      return std::optional<ChainBreak>(
          ChainBreak{id, "does not follow the entry before it (deleted or reordered)"});
    }
    if (history_hash(prev, data) != hash) {
      return std::optional<ChainBreak>(ChainBreak{id, "was changed after it was written"});
    }
    expected_prev = hash;
  }
}

}  // namespace triage::agent
