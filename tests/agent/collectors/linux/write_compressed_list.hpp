#pragma once
// Writes a test apt list the way apt stores it: one raw stream through a libarchive filter.

#include <archive.h>
#include <archive_entry.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace triage::agent::testing {

/// Writes `text` to `path` compressed with libarchive's `filter` ("gzip", "lz4", "xz").
inline void write_compressed_list(const std::filesystem::path& path, const std::string& filter,
                                  const std::string& text) {
  archive* a = archive_write_new();
  REQUIRE(archive_write_add_filter_by_name(a, filter.c_str()) == ARCHIVE_OK);
  REQUIRE(archive_write_set_format_raw(a) == ARCHIVE_OK);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, "Packages");
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_size(entry, static_cast<la_int64_t>(text.size()));
  REQUIRE(archive_write_header(a, entry) == ARCHIVE_OK);
  REQUIRE(archive_write_data(a, text.data(), text.size()) == static_cast<la_ssize_t>(text.size()));
  archive_entry_free(entry);
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
}

}  // namespace triage::agent::testing
