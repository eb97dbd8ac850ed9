#pragma once
// The web console's static files (collector/console/web/), embedded at build time by a
// generated table (see collector/CMakeLists.txt).

#include <span>
#include <string_view>

namespace triage::collector {

/// One embedded console file.
struct ConsoleFile {
  std::string_view path;          ///< URL path, e.g. "/js/app.js"
  std::string_view content_type;  ///< from the file's extension
  std::string_view etag;          ///< quoted SHA-256 of the bytes, computed at build time
  std::string_view body;
};

/// Every file of the console, sorted by path.
std::span<const ConsoleFile> console_files();

}  // namespace triage::collector
