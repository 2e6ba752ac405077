#include "render/table.hpp"

#include <algorithm>

namespace pareto {

namespace {
// Characters, not bytes: "…" is one column wide.
size_t width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}
}  // namespace

std::string text_table(const std::vector<std::vector<std::string>>& rows, std::string_view align) {
  std::vector<size_t> widths(align.size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], width(row[i]));
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) line += "  ";
      std::string pad(i < widths.size() ? widths[i] - width(row[i]) : 0, ' ');
      bool last = i + 1 == row.size();
      if (i < align.size() && align[i] == 'r') line += pad + row[i];
      else line += last ? row[i] : row[i] + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace pareto
