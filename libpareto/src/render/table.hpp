// Plain-text tables: the budget, and every table the commands print.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pareto {

// Columns padded to their widest cell (in characters) with two spaces between them; `align`
// has one letter per column, 'l' or 'r'; the last column is never padded.
std::string text_table(const std::vector<std::vector<std::string>>& rows, std::string_view align);

}  // namespace pareto
