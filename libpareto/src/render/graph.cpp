#include "render/graph.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace pareto {
using nlohmann::json;

namespace {

// Node ids both languages accept: "actions/hello-get" → "actions_hello_get".
std::string node_id(const json& node) {
  std::string id = node[0].get<std::string>() + "_" + node[1].get<std::string>();
  for (char& c : id)
    if (c == '-') c = '_';
  return id;
}

// Labels are config names and routes; quotes are the only character either syntax needs escaped.
std::string escape(std::string_view text, std::string_view quote) {
  std::string out;
  for (char c : text) out += c == '"' ? std::string(quote) : std::string(1, c);
  return out;
}

// Nodes by kind, in the order the graph lists them.
std::vector<std::pair<std::string, std::vector<std::string>>> groups(const Graph& graph) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& node : graph["nodes"]) {
    std::string kind = node["kind"];
    if (out.empty() || out.back().first != kind) out.push_back({kind, {}});
    out.back().second.push_back(node["name"]);
  }
  return out;
}

std::string mermaid(const Graph& graph) {
  std::string out = "flowchart LR\n";
  for (const auto& [kind, names] : groups(graph)) {
    out += fmt::format("  subgraph {} [{}]\n", kind, kind);
    for (const auto& name : names)
      out += fmt::format("    {}[\"{}\"]\n", node_id(json::array({kind, name})), name);
    out += "  end\n";
  }
  for (const auto& edge : graph["edges"])
    out += fmt::format("  {} -->|\"{}\"| {}\n", node_id(edge["from"]),
                       escape(edge["label"].get<std::string>(), "#quot;"), node_id(edge["to"]));
  return out;
}

std::string dot(const Graph& graph, std::string_view app) {
  std::string out = fmt::format(
      "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=Helvetica];\n"
      "  edge [fontname=Helvetica, fontsize=10];\n",
      escape(app, "\\\""));
  for (const auto& [kind, names] : groups(graph)) {
    out += fmt::format("  subgraph cluster_{} {{\n    label=\"{}\";\n", kind, kind);
    for (const auto& name : names)
      out += fmt::format("    {} [label=\"{}\"];\n", node_id(json::array({kind, name})), name);
    out += "  }\n";
  }
  for (const auto& edge : graph["edges"])
    out += fmt::format("  {} -> {} [label=\"{}\"];\n", node_id(edge["from"]), node_id(edge["to"]),
                       escape(edge["label"].get<std::string>(), "\\\""));
  return out + "}\n";
}

}  // namespace

void Diagram::node(const nlohmann::json& node) {
  if (nodes_.insert(node).second) graph_["nodes"].push_back({{"kind", node[0]}, {"name", node[1]}});
}

void Diagram::edge(nlohmann::json from, nlohmann::json to, std::string label) {
  graph_["edges"].push_back({{"from", std::move(from)}, {"to", std::move(to)}, {"label", std::move(label)}});
}

std::optional<std::string> draw(const Graph& graph, std::string_view app, std::string_view format) {
  if (format == "mermaid") return mermaid(graph);
  if (format == "dot") return dot(graph, app);
  return std::nullopt;
}

}  // namespace pareto
