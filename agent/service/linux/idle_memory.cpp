#include "agent/service/idle_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace triage::agent {
namespace {

struct Mapping {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  bool droppable = false;  // read-only, private, backed by a file
  std::size_t rss_kib = 0;
  std::size_t anonymous_kib = 0;
};

/// "Rss:   1234 kB" -> 1234, when the line is `key`'s.
bool read_kib(const std::string& line, const char* key, std::size_t& out) {
  const std::string prefix = std::string(key) + ":";
  if (line.compare(0, prefix.size(), prefix) != 0) return false;
  out = std::strtoull(line.c_str() + prefix.size(), nullptr, 10);
  return true;
}

std::vector<Mapping> read_mappings() {
  std::vector<Mapping> out;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  while (std::getline(smaps, line)) {
    // A mapping header: "start-end perms offset dev inode [path]".
    auto dash = line.find('-');
    auto space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space &&
        line.find(':') > space) {
      Mapping m;
      m.start = std::strtoull(line.c_str(), nullptr, 16);
      m.end = std::strtoull(line.c_str() + dash + 1, nullptr, 16);
      const std::string perms = line.substr(space + 1, 4);
      auto slash = line.find(" /");
      m.droppable = perms.size() == 4 && perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p' &&
                    slash != std::string::npos;
      out.push_back(m);
      continue;
    }
    if (out.empty()) continue;
    if (!read_kib(line, "Rss", out.back().rss_kib))
      read_kib(line, "Anonymous", out.back().anonymous_kib);
  }
  return out;
}

}  // namespace

std::size_t release_idle_memory() {
  std::size_t released_kib = 0;
  for (const auto& m : read_mappings()) {
    // A page with a private copy (relocations before RELRO) would lose its content.
    if (!m.droppable || m.anonymous_kib != 0 || m.rss_kib == 0) continue;
    if (::madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED) == 0)
      released_kib += m.rss_kib;
  }
  ::malloc_trim(0);
  return released_kib * 1024;
}

void release_free_heap() { ::malloc_trim(0); }

}  // namespace triage::agent
