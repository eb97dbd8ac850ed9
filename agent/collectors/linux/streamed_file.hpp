#pragma once
// A data file read in chunks, decompressed in process when it is compressed (none, gzip, lz4,
// xz, told by its magic bytes, through libarchive's raw format): apt's lists, dpkg's status
// file, pci.ids. Only one 64 KiB buffer of its text exists at a time, and no decompressor
// program is started. Linux.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage::agent {

/// Receives the next chunk of decompressed text; returns false to stop reading early.
using ChunkSink = std::function<bool(std::string_view chunk)>;

/// Streams the decompressed content of `path` to `sink`. Refuses (with the bytes read so far
/// already handed on) a file that decompresses to more than `max_bytes`, and names the file's
/// fault when it is corrupt or truncated. An empty file is no text, not an error.
Result<void> read_streamed_file(const std::filesystem::path& path, std::size_t max_bytes,
                                const ChunkSink& sink);

}  // namespace triage::agent
