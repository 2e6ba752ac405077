// What other kinds need to know of an action to wire it to their resources.
#pragma once

#include "components/kind.hpp"

namespace pareto {

// The logical id of the action's function: "hello-get" → HelloGetFunction.
std::string function_id(std::string_view action);

// The action's timeout in seconds: its own number, or the parameter of its tier (TimeoutDefault,
// TimeoutLong, …).
nlohmann::json action_timeout(const Model& model, std::string_view action);

// Each action's invocation (config "/actions/N/invocation"), where it is left out, from what
// invokes it: async for an action EventBridge (its events, timers) or SNS (topics) invokes, sync
// otherwise. An explicit sync such a trigger contradicts is an error at its path.
void infer_invocations(nlohmann::json& config, Diagnostics& errors);

// An AWS::Lambda::Permission letting `principal` invoke the action from `source_arn`.
nlohmann::json invoke_permission(std::string_view action, std::string_view principal,
                                 nlohmann::json source_arn);

}  // namespace pareto
