#pragma once
// Which reported filesystems the usage rules look at. Read-only images (snaps, live media,
// optical discs) are always 100 % full by construction and are not a problem.

#include "triage/v1/snapshot.pb.h"

namespace triage::collector::rules {

/// False for read-only mounts and image filesystems (squashfs, iso9660, udf, erofs, cramfs;
/// Windows' CDFS and UDF), whatever the case of the type's name.
bool is_writable_storage(const v1::Filesystem& filesystem);

}  // namespace triage::collector::rules
