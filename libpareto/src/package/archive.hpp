// Deterministic zips of code folders, written by the core so that every front end uploads the same
// bytes for the same sources.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
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

// What a folder ships (archive path, at `prefix` + the path below the folder → path relative to
// `base`, '/' separators), and what it refuses. Tests, caches, node_modules and hidden files
// (.env, .git/, .aws/) are left out, not refused.
struct Shipped {
  std::map<std::string, std::string> files;
  std::vector<Refusal> refused;
};
Shipped files_to_ship(const std::filesystem::path& base, const std::string& folder,
                      const std::string& prefix = "");

// The zip of `files` (archive path → file): entries sorted by path, timestamps fixed at
// 1980-01-01 00:00, permissions 0644 (0755 for executables), deflated at level 9. Throws
// ArchiveError when a file cannot be read.
std::string build_archive(const std::map<std::string, std::filesystem::path>& files);

std::string read_file(const std::filesystem::path& path);  // ArchiveError when it cannot be read
bool executable(const std::filesystem::path& path);

}  // namespace pareto
