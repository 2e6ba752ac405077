// The pipeline: text → document → schema → model → checks → template → finalize.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.hpp"
#include "finalize/budget.hpp"
#include "finalize/nested.hpp"
#include "package/code.hpp"

namespace pareto {

class CustomKinds;  // components/custom.hpp

struct LoadOptions {
  std::string source_name = "<input>";  // names the text in errors
  std::optional<std::filesystem::path> base_dir;  // handler sources; none: not scanned
  const CustomKinds* kinds = nullptr;  // custom component kinds; none: the built-in ones only
  std::optional<std::string> stage = std::nullopt;  // whose settings (the stages key) apply; none: the app's own
};

// A loaded app: its errors, or its template. A regular value.
struct Synthesis {
  std::string name;
  std::vector<std::string> kind_modules;  // the "kinds" key, when the description parses
  Diagnostics errors;          // located and in source order
  std::string template_json;   // empty when there are errors; the parent of any nested stacks
  std::vector<NestedStack> nested;  // past one stack's quotas (finalize/nested.hpp)
  Template finalized;  // before it is split into stacks: placed again for a deployed stack
  std::map<std::string, std::string> origins;  // logical id → the config entry it was made for
  std::vector<QuotaUse> name_uses;             // the physical names measured
  std::vector<CodeUnit> code;  // each action's and builder's archive (package/code.hpp)
  nlohmann::json functions = nlohmann::json::array();  // CodeUnit::describe of each
  nlohmann::json graph;  // nodes and edges of the app's diagram (render/graph.hpp)

  bool ok() const { return errors.empty(); }
  // [{file, path, line, column, message, check}]
  nlohmann::json errors_json(std::string_view file) const;
};

// [{file, path, line, column, message, check}]
nlohmann::json errors_json(const Diagnostics& errors, std::string_view file);

// Twice the largest app the scaling benchmark measures: past it, an app is an error at once.
inline constexpr size_t kMaxComponents = 20'000;

Synthesis synthesize(std::string_view text, const LoadOptions& options = {});

// The pareto.yaml of a path: the file itself, or pareto.yaml/.yml/.json inside a folder.
std::optional<std::filesystem::path> find_app_file(const std::filesystem::path& path);

}  // namespace pareto
