// The app's diagram: components as nodes grouped by kind, bindings and uses as labelled edges.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace pareto {

// {"nodes": [{"kind": "tables", "name": "users"}, …],
//  "edges": [{"from": ["queues", "jobs"], "to": ["actions", "worker"], "label": "queue jobs"}, …]}
using Graph = nlohmann::json;

// A graph being drawn: each node ["kind", "name"] is added once, however many components add
// it (every streaming table draws the default bus), at the cost of a set lookup.
class Diagram {
 public:
  Diagram() : graph_{{"nodes", nlohmann::json::array()}, {"edges", nlohmann::json::array()}} {}
  void node(const nlohmann::json& node);
  void edge(nlohmann::json from, nlohmann::json to, std::string label);
  Graph take() { return std::move(graph_); }

 private:
  Graph graph_;
  std::set<nlohmann::json> nodes_;
};

// The graph as Mermaid flowchart or Graphviz DOT text; nullopt for an unknown format.
std::optional<std::string> draw(const Graph& graph, std::string_view app, std::string_view format);

}  // namespace pareto
