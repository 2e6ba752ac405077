#include "load/sources.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>

namespace pareto {
namespace fs = std::filesystem;

namespace {

// Bounds on what is read: handler folders are small, a stray data folder should not stall.
constexpr uintmax_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxFiles = 2000;

const std::vector<std::string>& extensions(std::string_view runtime) {
  static const std::vector<std::string> kPython{".py"}, kNode{".js", ".mjs", ".cjs", ".ts"};
  return runtime == "nodejs" ? kNode : kPython;
}


bool identifier_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// Reads an identifier at `at`, quoted by ' or " when `quoted`; "" when there is none.
std::string read_name(std::string_view text, size_t at, bool quoted) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
  char quote = 0;
  if (quoted) {
    if (at >= text.size() || (text[at] != '"' && text[at] != '\'')) return {};
    quote = text[at++];
  }
  size_t begin = at;
  while (at < text.size() && identifier_char(text[at], at == begin)) ++at;
  if (at == begin || (quoted && (at >= text.size() || text[at] != quote))) return {};
  return std::string(text.substr(begin, at - begin));
}

}  // namespace

bool is_test_file(std::string_view name) {
  return name.starts_with("test_") || name.find(".test.") != std::string_view::npos ||
         name.find(".spec.") != std::string_view::npos || name.find("_test.") != std::string_view::npos;
}

bool is_skipped_folder(std::string_view name) {
  constexpr std::array<std::string_view, 6> kSkipped = {"tests", "test", "__tests__",
                                                        "__pycache__", "node_modules", "venv"};
  return name.starts_with('.') || std::find(kSkipped.begin(), kSkipped.end(), name) != kSkipped.end();
}

std::optional<fs::path> find_handler(const fs::path& folder, std::string_view runtime) {
  for (const auto& ext : extensions(runtime)) {
    fs::path candidate = folder / ("index" + ext);
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

std::vector<Variable> scan_text(std::string_view text, std::string_view file_name) {
  struct Form {
    std::string_view prefix;
    bool quoted;
  };
  static constexpr Form kForms[] = {{"os.environ[", true},    {"os.environ.get(", true},
                                    {"os.getenv(", true},     {"process.env[", true},
                                    {"process.env.", false}};
  std::vector<std::pair<size_t, std::string>> found;  // offset, name
  for (const Form& form : kForms)
    for (size_t at = text.find(form.prefix); at != std::string_view::npos;
         at = text.find(form.prefix, at + 1)) {
      std::string name = read_name(text, at + form.prefix.size(), form.quoted);
      if (!name.empty()) found.emplace_back(at, std::move(name));
    }
  std::sort(found.begin(), found.end());
  std::vector<Variable> out;
  size_t line = 1, counted = 0;
  for (auto& [offset, name] : found) {
    line += std::count(text.begin() + counted, text.begin() + offset, '\n');
    counted = offset;
    out.push_back({std::move(name), std::string(file_name) + ":" + std::to_string(line)});
  }
  return out;
}

std::vector<Variable> scan_folder(const fs::path& base, const std::string& folder,
                                  std::string_view runtime) {
  std::error_code ec;
  fs::recursive_directory_iterator it(base / folder, ec), end;
  std::vector<fs::path> files;
  for (; !ec && it != end && files.size() < kMaxFiles; it.increment(ec)) {
    if (it->is_directory(ec)) {
      if (is_skipped_folder(it->path().filename().string())) it.disable_recursion_pending();
      continue;
    }
    const auto& exts = extensions(runtime);
    std::string name = it->path().filename().string();
    if (std::find(exts.begin(), exts.end(), it->path().extension().string()) == exts.end() ||
        is_test_file(name) || !it->is_regular_file(ec) || it->file_size(ec) > kMaxFileBytes)
      continue;
    files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());  // directory order differs between file systems
  std::vector<Variable> out;
  std::set<std::string> seen;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    for (auto& variable : scan_text(text.str(), file.lexically_relative(base).generic_string()))
      if (seen.insert(variable.name).second) out.push_back(std::move(variable));
  }
  return out;
}

}  // namespace pareto
