#include "agent/actions/log_bundle_archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <memory>

namespace triage::agent {

namespace {

/// The compressed archive as it is written; refuses to grow past `limit`.
struct Sink {
  std::string bytes;
  std::size_t limit = 0;
  bool overflow = false;
};

la_ssize_t append_to_sink(archive*, void* data, const void* buffer, size_t length) {
  auto* sink = static_cast<Sink*>(data);
  if (sink->bytes.size() + length > sink->limit) {
    sink->overflow = true;
    return -1;
  }
  sink->bytes.append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;

/// Why libarchive stopped: the cap (nullopt) or an error.
Result<std::optional<std::string>> stopped(archive* a, const Sink& out) {
  if (out.overflow) return std::optional<std::string>();
  const char* why = archive_error_string(a);
  return fail(std::string("archive: ") + (why ? why : "write failed"));
}

/// Copies `size` bytes of `file.path` into the current entry; false with `error` set
/// when the file could not be read whole, or when libarchive refused (error left empty).
bool copy_file(archive* a, const BundleFile& file, std::uint64_t size, std::string& error) {
  std::ifstream in(file.path, std::ios::binary);
  if (!in) {
    error = "cannot open " + file.name;
    return false;
  }
  std::string buffer(64 * 1024, '\0');
  std::uint64_t left = size;
  while (left > 0) {
    const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(left, buffer.size()));
    in.read(buffer.data(), want);
    if (in.gcount() != want) {
      error = "cannot read " + file.name + " whole";
      return false;
    }
    if (archive_write_data(a, buffer.data(), static_cast<std::size_t>(want)) < 0) return false;
    left -= static_cast<std::uint64_t>(want);
  }
  return true;
}

}  // namespace

Result<std::optional<std::string>> write_capped_tar_gz(const std::vector<BundleFile>& files,
                                                       std::time_t mtime, std::size_t limit) {
  ArchivePtr a(archive_write_new(), &archive_write_free);
  Sink out;
  out.limit = limit;
  if (!a || archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open(a.get(), &out, nullptr, append_to_sink, nullptr) != ARCHIVE_OK) {
    return fail(std::string("archive: ") + (a ? archive_error_string(a.get()) : "out of memory"));
  }
  for (const auto& file : files) {
    std::uint64_t size = file.content.size();
    if (!file.path.empty()) {
      std::error_code ec;
      size = std::filesystem::file_size(file.path, ec);
      if (ec) return fail("cannot read the size of " + file.name + ": " + ec.message());
    }
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                        &archive_entry_free);
    archive_entry_set_pathname(entry.get(), ("triage-logs/" + file.name).c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(entry.get(), mtime, 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) return stopped(a.get(), out);
    if (!file.path.empty()) {
      std::string error;
      if (!copy_file(a.get(), file, size, error)) {
        if (!error.empty()) return fail(error);
        return stopped(a.get(), out);
      }
    } else if (!file.content.empty() &&
               archive_write_data(a.get(), file.content.data(), file.content.size()) < 0) {
      return stopped(a.get(), out);
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return stopped(a.get(), out);
  return std::optional<std::string>(std::move(out.bytes));
}

nlohmann::json state_file_sizes(const std::filesystem::path& state_dir) {
  nlohmann::json files = nlohmann::json::object();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir, ec)) {
    std::error_code size_ec;
    const auto size = entry.is_regular_file(size_ec) ? entry.file_size(size_ec) : 0;
    files[entry.path().filename().string()] = size_ec ? 0 : size;
  }
  return files;
}

}  // namespace triage::agent
