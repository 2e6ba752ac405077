// What pareto reads of a GraphQL schema (SDL): its object types, their fields and the fields'
// types, the members of its interfaces and unions, and the root operation types, for the config's
// checks and for pareto dev's local API. Not a GraphQL implementation: no C++ parser is packaged
// where pareto is built, and AppSync validates the rest of the schema itself when it is deployed.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "kinds/graphql/grammar.hpp"

namespace pareto {

struct GraphqlSchema {
  // Object types and interfaces (with `extend type` merged) → their field names.
  std::map<std::string, std::set<std::string>> fields;
  // "query", "mutation", "subscription" → the type (default Query, Mutation, Subscription).
  std::map<std::string, std::string> roots;
  // Type → field → its type as written ("[Member!]!").
  std::map<std::string, std::map<std::string, std::string>> field_types;
  // An interface or union → the object types that implement it or are its members.
  std::map<std::string, std::set<std::string>> possible;
};

// The schema, or the first place the text stops being SDL.
struct GraphqlRead {
  GraphqlSchema schema;
  std::optional<GraphqlError> error;
};

GraphqlRead read_graphql_schema(std::string_view text);

}  // namespace pareto
