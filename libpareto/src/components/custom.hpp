// Component kinds an app or a team adds without forking pareto: a definition (its key, the JSON
// Schema of an entry, the fields that name other components) and a renderer that turns an entry
// into resources, outputs and grants. Registered per load (LoadOptions::kinds), never globally.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/schema.hpp"
#include "components/kind.hpp"
#include "diagnostic.hpp"

namespace pareto {

// A custom kind's renderer: the request's JSON text in, the reply's JSON text out (both in
// README "Custom components"). False when it failed, with `reply` saying why.
using RenderFn = std::function<bool(const std::string& request, std::string& reply)>;

struct CustomKind {
  std::string key, noun, suffix;
  Schema schema;                                  // of one entry, "name" added
  std::map<std::string, std::string> references;  // entry field → the key of the kind it names
  size_t name_limit = 0;  // of "<app>-<stage>-<name>", checked and budgeted; 0: none
  RenderFn render;
  Kind kind;  // views the strings above: a CustomKind is never moved once made
};

// The custom kinds of a load. A regular value: copies share the kinds, which are immutable.
class CustomKinds {
 public:
  // Adds a kind; the problems of its definition instead, at JSON pointers into it.
  Diagnostics add(const nlohmann::json& definition, RenderFn render);
  // The built-in kinds and these, in render order: custom kinds come after every built-in one
  // but actions, so they read any component and their grants reach the actions' roles.
  std::vector<const Kind*> all() const;
  bool empty() const { return custom_.empty(); }

 private:
  std::vector<std::shared_ptr<const CustomKind>> custom_;
};

// The entries of a custom kind in the document, checked against its schema.
Diagnostics validate_entries(const CustomKind& kind, const nlohmann::json& entries);

}  // namespace pareto
