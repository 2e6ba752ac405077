// API Gateway models speak JSON Schema draft 4: the user's (draft 6+) schema, translated.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "diagnostic.hpp"

namespace pareto {

// The draft-4 form of `schema` (found at `pointer`); every keyword draft 4 cannot express is
// reported at its own path.
nlohmann::json to_draft4(const nlohmann::json& schema, const std::string& pointer,
                         Diagnostics& errors);

}  // namespace pareto
