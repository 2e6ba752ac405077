// The CloudFormation template as a value, and what its intrinsic functions refer to.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace pareto {

struct Template {
  std::string description;
  nlohmann::json metadata = nlohmann::json::object();  // {"pareto": {"stack-tags": {...}}}
  nlohmann::json parameters = nlohmann::json::object();
  nlohmann::json resources = nlohmann::json::object();
  nlohmann::json outputs = nlohmann::json::object();
  // Logical id (resource, output or parameter) → the config entry it was made for.
  std::map<std::string, std::string> origins;

  nlohmann::json to_json() const&;
  nlohmann::json to_json() &&;  // moves the sections out rather than copying them
  // Deterministic text: keys sorted, two-space indent, trailing newline.
  std::string dump() const&;
  std::string dump() &&;
};

// Names a template value refers to: Ref targets, Fn::GetAtt and ${X.Attr} resources,
// Fn::Sub ${X} names (minus the list form's own variables) and DependsOn.
struct References {
  std::set<std::string> refs;        // Ref X and ${X}: a parameter, resource or pseudo parameter
  std::set<std::string> attributes;  // Fn::GetAtt X.A and ${X.A}: a resource
  std::set<std::pair<std::string, std::string>> attribute_reads;  // the same as (X, A)
  std::set<std::string> depends_on;  // DependsOn: a resource

  // Every resource these refer to (a Ref may name a parameter: callers filter).
  std::set<std::string> all() const;
};

References references(const nlohmann::json& value);

// "${X}" and "${X.Attr}" in an Fn::Sub string, skipping literal "${!...}".
std::set<std::string> sub_variables(std::string_view text);

bool is_pseudo_parameter(std::string_view name);

// The config entry a logical id was made for ("/tables/2"), or "" when none is known.
std::string origin_in(const std::map<std::string, std::string>& origins, const std::string& id);

// Resource types that hold the user's data (items, objects, messages, users, a secret's
// value): what a deploy must not remove, replace or move without the user's say.
bool holds_data(std::string_view resource_type);

// A JSON value as text: a string itself, anything else (an intrinsic, a number) as its JSON.
std::string text_of(const nlohmann::json& value);

}  // namespace pareto
