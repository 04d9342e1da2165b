// Durability of a file's name, not only of its bytes: after creating a file, its directory entry
// must reach the disk too, or a power loss can lose the whole file.
#pragma once
#include <string>

namespace sluice {

// fsyncs the directory holding path; throws std::runtime_error on failure.
void sync_parent_directory(const std::string& path);

}  // namespace sluice
