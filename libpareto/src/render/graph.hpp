// The app's diagram: components as nodes grouped by kind, bindings and uses as labelled edges.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace pareto {

// {"nodes": [{"kind": "tables", "name": "users"}, …],
//  "edges": [{"from": ["queues", "jobs"], "to": ["actions", "worker"], "label": "queue jobs"}, …]}
using Graph = nlohmann::json;

// Adds the node ["kind", "name"] unless the graph has it.
void add_node(Graph& graph, const nlohmann::json& node);

// The graph as Mermaid flowchart or Graphviz DOT text; nullopt for an unknown format.
std::optional<std::string> draw(const Graph& graph, std::string_view app, std::string_view format);

}  // namespace pareto
