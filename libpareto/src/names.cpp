#include "names.hpp"

#include <algorithm>
#include <cctype>

namespace pareto {

std::string pascal_case(std::string_view hyphenated) {
  std::string out;
  out.reserve(hyphenated.size());
  bool upper = true;
  for (char c : hyphenated) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

std::string logical_id(std::string_view name, std::string_view suffix) {
  std::string joined(name);
  joined += '-';
  joined += suffix;
  return pascal_case(joined);
}

std::string upper_snake(std::string_view hyphenated) {
  std::string out;
  for (char c : hyphenated)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string variable_name(std::string_view name, std::string_view suffix) {
  return upper_snake(name) + "_" + upper_snake(suffix);
}

std::string pointer_escape(std::string_view segment) {
  std::string out;
  for (char c : segment) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 256) return {};  // nobody misspells a 257-character name
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string join_names(const std::vector<std::string>& names, std::string_view last) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? std::string(last) : std::string(", ");
    out += names[i];
  }
  return out;
}

std::string_view entry_pointer(std::string_view pointer) {
  size_t section = pointer.find('/', 1);
  if (section == std::string_view::npos) return pointer;
  return pointer.substr(0, pointer.find('/', section + 1));
}

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

}  // namespace pareto
