// The last stage: parameters for every open reference, then the checks only a whole template
// allows (references resolve, no cycles, CloudFormation and Lambda quotas).
#pragma once

#include <nlohmann/json.hpp>

#include "diagnostic.hpp"
#include "render/template.hpp"

namespace pareto {

// `user_parameters` is the app's "parameters:" mapping (hyphen-case keys, at "/parameters").
void finalize(Template& out, const nlohmann::json& user_parameters, Diagnostics& errors);

// The parameters pareto knows (data/parameters.json), by logical id.
const nlohmann::json& parameter_defaults();

// CloudFormation's quotas, as checked.
inline constexpr size_t kMaxResources = 500;
inline constexpr size_t kMaxParameters = 200;
inline constexpr size_t kMaxOutputs = 200;
inline constexpr size_t kMaxTemplateBytes = 1'000'000;  // uploaded through S3
inline constexpr size_t kMaxLogicalId = 255;
inline constexpr size_t kMaxRuleTargets = 5;
inline constexpr size_t kMaxFunctionPolicy = 20480;
// An invoke permission's statement in a function's resource policy, as the checks estimate it.
inline constexpr size_t kPermissionStatementBytes = 400;

}  // namespace pareto
