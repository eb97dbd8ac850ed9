#include "collector/cli/site_config.hpp"

#include <cstdlib>
#include <map>
#include <memory>
#include <utility>

#include <libpq-fe.h>

#include "collector/storage/open_store.hpp"

namespace triage::collector {

Result<SiteConfig> load_site_config(const DataDir& dir, const std::string& config_flag) {
  SiteConfig site;
  if (!config_flag.empty()) {
    site.file = config_flag;
  } else if (std::error_code ec; std::filesystem::exists(dir.config_file(), ec)) {
    site.file = dir.config_file();
  }
  if (site.file.empty()) return site;
  auto config = load_collector_config(site.file);
  if (!config) return tl::unexpected(config.error());
  site.config = std::move(*config);
  return site;
}

std::string describe_postgres_target(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return "an unreadable url (" + why + ")";
  }
  std::map<std::string, std::string> given;
  for (const auto* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') given[o->keyword] = o->val;
  }
  static const std::pair<const char*, const char*> kShown[] = {{"host", "host"},
                                                               {"hostaddr", "address"},
                                                               {"port", "port"},
                                                               {"dbname", "database"},
                                                               {"user", "user"}};
  std::string described;
  for (const auto& [keyword, label] : kShown) {
    auto it = given.find(keyword);
    if (it == given.end()) continue;
    if (!described.empty()) described += ' ';
    described += std::string(label) + ' ' + it->second;
  }
  // Without a host libpq uses PGHOST or the local Unix socket.
  if (given.count("host") == 0 && given.count("hostaddr") == 0) {
    described = "the default host (PGHOST or the local socket)" +
                (described.empty() ? std::string() : " " + described);
  }
  return described;
}

Result<StorePtr> open_site_store(const DataDir& dir, const SiteConfig& site, StoreUse use) {
  if (!dir.initialized()) {
    return fail(ErrorCode::kInvalid, dir.root().string() +
                                         " is not an initialized data directory; run "
                                         "`triage-collector init --data " +
                                         dir.root().string() + "` first");
  }
  const auto& storage = site.config.storage;
  if (storage.backend == "postgres") {
    // An unreachable address would otherwise hold the command for the system's TCP connect
    // timeout (minutes); libpq reads this only when the url sets no connect_timeout.
    setenv("PGCONNECT_TIMEOUT", "10", /*overwrite=*/0);
  }
  auto store = open_store(storage, dir.database().string(), use);
  if (store || storage.backend != "postgres" || storage.url.empty()) return store;
  const std::string named_in = site.file.empty() ? "the configuration" : site.file.string();
  const char* verdict =
      store.error().code == ErrorCode::kUnavailable ? "cannot be reached" : "cannot be used";
  return fail(store.error().code,
              "the PostgreSQL database of this site (" + describe_postgres_target(storage.url) +
                  ", [storage] url in " + named_in + ") " + verdict + ": " + store.error().message +
                  "; check that PostgreSQL runs there and accepts this collector's connections");
}

}  // namespace triage::collector
