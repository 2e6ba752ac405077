// The config JSON Schema (schema/pareto.schema.json, compiled in): validation and defaults.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "diagnostic.hpp"

namespace pareto {

// The schema document.
const nlohmann::json& config_schema();

// Every schema violation of the document, one diagnostic each, with paths as JSON pointers.
Diagnostics validate_schema(const nlohmann::json& document);

// Fills in the schema's defaults for absent keys, wherever the document has the parent.
void apply_defaults(nlohmann::json& document);

}  // namespace pareto
