// Data files compiled into the library (cmake/embed.cmake): schema, charts, inline sources.
#pragma once

#include <string_view>

namespace pareto {
// The bytes of a data file by its path below libpareto/ ("schema/pareto.schema.json"); empty
// when there is no such file.
std::string_view embedded(std::string_view path);
}  // namespace pareto
