#include "agent/actions/spool_job_files.hpp"

namespace triage::agent {

namespace {

bool extension_is(std::string_view name, std::string_view upper_ext) {
  if (name.size() <= upper_ext.size()) return false;
  const auto ext = name.substr(name.size() - upper_ext.size());
  for (std::size_t i = 0; i < ext.size(); ++i) {
    char c = ext[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_ext[i]) return false;
  }
  return true;
}

}  // namespace

bool is_spool_job_file(const SpoolEntry& entry) {
  if (entry.directory || entry.reparse_point) return false;
  // A name that Windows would read as a path or a stream never comes from a listing; refuse
  // it all the same rather than join it to the folder.
  if (entry.name.find_first_of("\\/:") != std::string_view::npos) return false;
  return extension_is(entry.name, ".SHD") || extension_is(entry.name, ".SPL");
}

}  // namespace triage::agent
