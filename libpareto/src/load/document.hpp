// Loading: YAML 1.2 or JSON text → a JSON document plus where each value came from.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "diagnostic.hpp"

namespace pareto {

struct Position {
  int line = 0;  // 1-based
  int column = 0;
};

// JSON pointer → the position of the value (or, for a mapping key, of the key) in the text.
class SourceMap {
 public:
  void add(std::string pointer, Position position) {
    positions_.emplace(std::move(pointer), position);
  }
  // The position of the pointer, or of its closest ancestor that has one.
  Position find(std::string_view pointer) const;
  // Fills line and column of every diagnostic from its path.
  void locate(Diagnostics& diagnostics) const;

 private:
  std::unordered_map<std::string, Position> positions_;
};

// Bounds that keep hostile input to bounded time and memory.
struct LoadLimits {
  size_t max_bytes = size_t{2} * 1024 * 1024;  // the text: twice what kMaxComponents entries take
  size_t max_depth = 64;               // nesting of mappings and sequences
  size_t max_nodes = 1'000'000;        // values after alias expansion ("billion laughs")
  size_t max_string = size_t{64} * 1024;     // one scalar
};

struct Document {
  nlohmann::json value;  // null when the text did not load
  SourceMap positions;
  Diagnostics errors;
};

Document load_document(std::string_view text, const LoadLimits& limits = {});

}  // namespace pareto
