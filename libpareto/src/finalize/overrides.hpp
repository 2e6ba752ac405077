// The escape hatch: the app's overrides (logical id → a JSON merge patch of a generated
// resource's Properties and attributes), applied to the rendered template before it is checked.
#pragma once

#include <nlohmann/json.hpp>

#include "diagnostic.hpp"
#include "render/template.hpp"

namespace pareto {

// Applies each override, at "/overrides/<id>"; one that names no resource, or that would let a
// retained resource's data go with a deploy or destroy, is an error and changes nothing. The ids
// overridden are listed in the template's Metadata (pareto.overrides) for diff to show.
void apply_overrides(Template& t, const nlohmann::json& overrides, Diagnostics& errors);

}  // namespace pareto
