#include "agent/collectors/linux/streamed_file.hpp"

#include <archive.h>

#include <memory>
#include <string>

namespace triage::agent {
namespace {

constexpr std::size_t kReadBlockBytes = 64 * 1024;

struct ArchiveReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReadCloser>;

Error archive_error(archive* a, const std::filesystem::path& path) {
  const char* what = archive_error_string(a);
  return Error{path.filename().string() + ": " + (what ? what : "unreadable list")};
}

}  // namespace

Result<void> read_streamed_file(const std::filesystem::path& path, std::size_t max_bytes,
                                const ChunkSink& sink) {
  // libarchive's raw format refuses an empty stream; an empty list (apt truncates a pocket it
  // is about to rewrite) holds no packages.
  std::error_code size_error;
  if (std::filesystem::file_size(path, size_error) == 0 && !size_error) return {};
  ArchiveReader reader(archive_read_new());
  if (!reader) return fail("libarchive: out of memory");
  archive* a = reader.get();
  // The raw format with every filter: the list is one stream, its compression told by its
  // magic bytes (plain text passes through the "none" filter).
  archive_read_support_filter_all(a);
  archive_read_support_format_raw(a);
  if (archive_read_open_filename(a, path.c_str(), kReadBlockBytes) != ARCHIVE_OK)
    return tl::unexpected(archive_error(a, path));
  archive_entry* entry = nullptr;
  int header = archive_read_next_header(a, &entry);
  if (header == ARCHIVE_EOF) return {};
  if (header != ARCHIVE_OK) return tl::unexpected(archive_error(a, path));
  std::string buffer(kReadBlockBytes, '\0');
  std::size_t total = 0;
  for (;;) {
    la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
    if (n < 0) return tl::unexpected(archive_error(a, path));
    if (n == 0) return {};
    total += static_cast<std::size_t>(n);
    if (total > max_bytes) {
      return fail(path.filename().string() + ": decompresses to more than " +
                  std::to_string(max_bytes / (1024 * 1024)) + " MiB, not read");
    }
    if (!sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)))) return {};
  }
}

}  // namespace triage::agent
