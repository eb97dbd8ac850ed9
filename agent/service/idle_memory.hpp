#pragma once
// Giving memory back when the daemon goes idle. Most of an idle agent's resident set is not its
// own: it is clean pages of its binary and shared libraries (code, constants), mapped by the
// kernel in large runs around each page touched (fault-around, large folios) — libcrypto and
// libc almost entirely after one TLS handshake. They cost nothing to drop: they stay in the page
// cache, shared with every other process, and come back with a minor fault when next used.
// This header is the interface; each platform has one implementation (Linux:
// linux/idle_memory.cpp).

#include <cstddef>

namespace triage::agent {

/// Unmaps (madvise MADV_DONTNEED) every read-only, private, file-backed mapping of this process
/// that holds no private copy of a page (Anonymous: 0 in /proc/self/smaps), and returns the
/// heap's free memory to the kernel (malloc_trim). Writable mappings and relocated read-only
/// ones (RELRO) are left alone. Returns the resident bytes released. Call from one thread while
/// no other thread loads libraries.
std::size_t release_idle_memory();

/// Returns the heap's free memory to the system (malloc_trim on glibc); after a large transient
/// allocation such as a snapshot.
void release_free_heap();

}  // namespace triage::agent
