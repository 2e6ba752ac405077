// What the commands read and write on the host's disk: the core writes its own files (all or
// nothing), as the native command always has.
#pragma once

#include <optional>
#include <string>

#include "package/code.hpp"  // sha256_hex
#include "pareto/pareto.hpp"

namespace pareto::engine {

// Writes next to the target and renames: a failed run never leaves half a file.
bool write_atomically(const std::string& path, const std::string& bytes);
std::optional<std::string> read_text_file(const std::string& path);

std::string thousands(uint64_t number);  // 1234567 → "1,234,567"

}  // namespace pareto::engine
