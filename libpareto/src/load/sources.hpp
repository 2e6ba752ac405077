// Handler sources: where an action's handler is, and the variables its code reads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "components/kind.hpp"

namespace pareto {

// Whether a file name is a test (test_x.py, x_test.py, x.test.js, x.spec.ts): never shipped nor
// scanned for variables; `pareto test` runs those of the action's runtime.
bool is_test_file(std::string_view name);

// Whether a folder holds no code of the app's own (tests, dependencies, caches, hidden ones).
bool is_skipped_folder(std::string_view name);

// The handler file of an action folder ("index.py", "index.js", …), if there is one.
std::optional<std::filesystem::path> find_handler(const std::filesystem::path& folder,
                                                  std::string_view runtime);

// Variables read in one file's text: os.environ["X"], os.environ.get("X"), os.getenv("X"),
// process.env.X, process.env["X"]. Origins are "<file name>:<line>".
std::vector<Variable> scan_text(std::string_view text, std::string_view file_name);

// Every variable read by the sources of a folder (tests and dependencies excluded), each once.
std::vector<Variable> scan_folder(const std::filesystem::path& base, const std::string& folder,
                                  std::string_view runtime);

}  // namespace pareto
