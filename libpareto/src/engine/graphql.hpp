// A GraphQL request answered as AppSync answers it, for pareto dev: the query read and checked
// against the schema, each field with a unit resolver resolved through its handler, every other
// field read from its parent's value, and non-null fields' nulls carried up as the spec says.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/task.hpp"
#include "kinds/graphql/sdl.hpp"

namespace pareto::engine {

// A field a resolver resolves: its parent type, its name, and the direct Lambda resolver event
// AppSync would send (arguments, source, info, prev, stash), less identity and request.
struct GraphqlField {
  std::string type, field;
  nlohmann::json event;
};

// A resolver's outcome: {"result": value}, or {"error": {"errorType", "errorMessage"}}.
using GraphqlResolve = std::function<Task<nlohmann::json>(GraphqlField)>;

struct GraphqlApiModel {
  GraphqlSchema schema;
  std::set<std::pair<std::string, std::string>> resolved;  // (type, field) with a resolver
};

// The response body to a request body ({"query", "variables", "operationName"}): {"data"} and,
// when something failed, {"errors"} in AppSync's shape.
Task<nlohmann::json> answer_graphql(const GraphqlApiModel& api, const nlohmann::json& request,
                                    const GraphqlResolve& resolve);

}  // namespace pareto::engine
