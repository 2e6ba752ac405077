// Helpers the unit tests share: synthesizing an app from text and reading its results.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "app.hpp"

namespace pareto::testing_support {

inline const std::filesystem::path kSourceDir = PARETO_SOURCE_DIR;

inline Synthesis synth(std::string_view yaml) {
  return synthesize(yaml, {.source_name = "pareto.yaml", .base_dir = std::nullopt});
}

// The errors as "path [check]" strings, the form most assertions want.
inline std::vector<std::string> error_list(const Synthesis& result) {
  std::vector<std::string> out;
  for (const auto& e : result.errors) out.push_back(e.path + " [" + e.check + "]");
  return out;
}

inline nlohmann::json resources(const Synthesis& result) {
  return nlohmann::json::parse(result.template_json).at("Resources");
}

}  // namespace pareto::testing_support
