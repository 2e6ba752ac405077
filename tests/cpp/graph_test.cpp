// The app's diagram: exact text for a small app, in both formats, and the C API's guards.
#include <gtest/gtest.h>

#include "pareto/pareto.hpp"

namespace {

const char* kApp =
    "app: shop\n"
    "actions: [{name: list}, {name: worker}]\n"
    "apis: [{name: web, endpoints: [{action: list, method: GET, path: 'items/{id}'}]}]\n"
    "queues: [{name: jobs, action: worker}]\n";

TEST(Graph, MermaidGroupsByKindAndLabelsBindings) {
  EXPECT_EQ(pareto::App::from_text(kApp).graph("mermaid"),
            "flowchart LR\n"
            "  subgraph queues [queues]\n"
            "    queues_jobs[\"jobs\"]\n"
            "  end\n"
            "  subgraph apis [apis]\n"
            "    apis_web[\"web\"]\n"
            "  end\n"
            "  subgraph actions [actions]\n"
            "    actions_list[\"list\"]\n"
            "    actions_worker[\"worker\"]\n"
            "  end\n"
            "  queues_jobs -->|\"triggers\"| actions_worker\n"
            "  apis_web -->|\"GET /items/{id}\"| actions_list\n");
}

TEST(Graph, DotHasClustersAndEdges) {
  std::string dot = pareto::App::from_text(kApp).graph("dot");
  EXPECT_EQ(dot.rfind("digraph \"shop\" {\n", 0), 0u);
  EXPECT_NE(dot.find("subgraph cluster_apis {\n    label=\"apis\";\n    apis_web [label=\"web\"];\n  }"),
            std::string::npos) << dot;
  EXPECT_NE(dot.find("apis_web -> actions_list [label=\"GET /items/{id}\"];"), std::string::npos);
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

TEST(Graph, VariablesTheCodeReadsAreEdges) {
  pareto::App app = pareto::App::from_path(PARETO_SOURCE_DIR "/examples/hello");
  EXPECT_NE(app.graph().find("actions_hello_get -->|\"USERS_TABLE\"| tables_users"), std::string::npos);
}

TEST(Graph, CApiGuards) {
  pareto::App app = pareto::App::from_text(kApp);
  try {
    app.graph("svg");
    FAIL() << "an unknown format is an argument error";
  } catch (const pareto::Error& e) {
    EXPECT_EQ(e.status(), PARETO_EARG);
  }
  char* out = nullptr;
  EXPECT_EQ(pareto_app_graph(nullptr, "dot", &out), PARETO_EARG);
  pareto_app* invalid = nullptr;
  const char text[] = "app: x\nbogus: 1\n";
  EXPECT_EQ(pareto_app_load(&invalid, text, sizeof text - 1, nullptr), PARETO_EINVALID);
  EXPECT_EQ(pareto_app_graph(invalid, "dot", &out), PARETO_EINVALID);
  EXPECT_EQ(out, nullptr);
  pareto_app_free(invalid);
}

}  // namespace

namespace {

TEST(Graph, EventsRunFromTheirSource) {
  pareto::App app = pareto::App::from_text(
      "app: files\n"
      "actions: [{name: ingest, invocation: async,\n"
      "           events: [{name: new-upload, source: {type: bucket, name: uploads}}]}]\n"
      "buckets: [{name: uploads}]\n");
  EXPECT_NE(app.graph().find("buckets_uploads -->|\"event new-upload\"| actions_ingest"), std::string::npos)
      << app.graph();
}

TEST(Graph, TableChangesRunThroughTheRouterAndTheBus) {
  pareto::App app = pareto::App::from_text(
      "app: shop\n"
      "actions: [{name: audit, invocation: async,\n"
      "           events: [{name: changed, source: {type: table, name: orders}}]}]\n"
      "tables: [{name: orders, streaming: {}}]\n");
  std::string graph = app.graph();
  for (const char* edge : {"tables_orders -->|\"stream\"| helpers_orders_router",
                           "helpers_orders_router -->|\"changes\"| buses_default",
                           "helpers_orders_router -->|\"failed batches\"| helpers_errors",
                           "buses_default -->|\"event changed\"| actions_audit"})
    EXPECT_NE(graph.find(edge), std::string::npos) << edge << "\n" << graph;
}

}  // namespace
