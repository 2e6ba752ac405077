// What the commands read and write on the host's disk: the core writes its own files (all or
// nothing), as the native command always has.
#pragma once

#include <optional>
#include <string>

#include "pareto/pareto.hpp"

namespace pareto::engine {

// Writes next to the target and renames: a failed run never leaves half a file.
bool write_atomically(const std::string& path, const std::string& bytes);
std::optional<std::string> read_text_file(const std::string& path);

// The app's code archive, named by its content: unchanged code, unchanged key.
struct Archive {
  std::string data;
  std::string sha256;  // lower-case hex
  std::string key(const std::string& app) const { return "pareto/" + app + "/" + sha256 + ".zip"; }
};
Archive archive_of(const App& app);  // Stop when the app has no folder or a file is refused

std::string sha256_hex(const std::string& bytes);
std::string thousands(uint64_t number);  // 1234567 → "1,234,567"

}  // namespace pareto::engine
