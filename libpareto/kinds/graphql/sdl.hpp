// What the config checks of a GraphQL schema (SDL): its object types and their fields, and the
// root operation types. Not a GraphQL implementation: no C++ parser is packaged where pareto is
// built, and AppSync validates the rest of the schema itself when it is deployed.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace pareto {

struct GraphqlSchema {
  // Object types and interfaces (with `extend type` merged) → their field names.
  std::map<std::string, std::set<std::string>> fields;
  // "query", "mutation", "subscription" → the type (default Query, Mutation, Subscription).
  std::map<std::string, std::string> roots;
};

struct GraphqlError {
  int line = 0;  // 1-based, in the schema text
  int column = 0;
  std::string message;
};

// The schema, or the first place the text stops being SDL.
struct GraphqlRead {
  GraphqlSchema schema;
  std::optional<GraphqlError> error;
};

GraphqlRead read_graphql_schema(std::string_view text);

}  // namespace pareto
