// The code archive: one deterministic zip of the app's code folders, written by the core so that
// every front end uploads the same bytes for the same sources.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pareto {

struct ArchiveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file the packager will not ship, and why: a link out of the app's folder, a private key.
struct Refusal {
  std::string file;  // relative to the app's folder
  std::string message;
};

// What the archive of these folders holds (paths relative to `base`, '/' separators), and what
// it refuses. Tests, caches and hidden files (.env, .git/, .aws/) are left out, not refused.
struct Shipped {
  std::set<std::string> files;
  std::vector<Refusal> refused;
};
Shipped files_to_ship(const std::filesystem::path& base, const nlohmann::json& folders);

// The zip of each folder's files (`folders`: the app's functions, each with a "path" below
// `base`): entries sorted by path, timestamps fixed at 1980-01-01 00:00, permissions 0644 (0755
// for executables), deflated at level 9; tests, caches and hidden files left out. Throws
// ArchiveError when a file cannot be read or is refused (the load reports refusals first).
std::string build_archive(const std::filesystem::path& base, const nlohmann::json& folders);

// Whether a file name is a test (test_x.py, x_test.py, x.test.js, x.spec.ts), never shipped.
bool is_test_file(std::string_view name);

}  // namespace pareto
