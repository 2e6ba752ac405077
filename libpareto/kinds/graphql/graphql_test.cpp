// GraphQL APIs: the schema reader, and the checks that use it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kinds/graphql/sdl.hpp"
#include "support.hpp"

namespace pareto {
namespace {

TEST(GraphqlSchema, ReadsTypesFieldsAndRootsPastTheRestOfTheGrammar) {
  GraphqlRead read = read_graphql_schema(R"(
    # comments, commas, descriptions, directives and every other definition are read past
    schema @aws_api_key { query: Root, mutation: Change }
    directive @cached(ttl: Int = 60, keys: [String!] = ["a", "b"]) repeatable on FIELD_DEFINITION | OBJECT
    scalar AWSDateTime @aws_iam
    """
    A node: block "strings" too.
    """
    interface Node { id: ID! }
    type User implements Node & Named @aws_cognito_user_pools(cognito_groups: ["admin"]) {
      "its id" id: ID!
      name(format: Format = SHORT, opts: Options = {upper: true, tags: []}): String @cached(ttl: 5)
      friends(first: Int = -1, after: Float = 1.5e3): [[User!]!]
    }
    extend type User { email: String }
    union Result = | User | Error
    enum Format { SHORT LONG @deprecated(reason: "use SHORT") }
    input Options { upper: Boolean = false, tags: [String] }
    type Root { me: User, node(id: ID!): Node }
    type Change { rename(id: ID!, name: String!): User }
  )");
  ASSERT_FALSE(read.error) << read.error->line << ":" << read.error->column << " "
                           << read.error->message;
  EXPECT_EQ(read.schema.fields.at("User"),
            (std::set<std::string>{"id", "name", "friends", "email"}));
  EXPECT_EQ(read.schema.fields.at("Node"), std::set<std::string>{"id"});
  EXPECT_EQ(read.schema.roots.at("query"), "Root");
  EXPECT_EQ(read.schema.roots.at("mutation"), "Change");
  EXPECT_EQ(read.schema.roots.at("subscription"), "Subscription");
  EXPECT_FALSE(read.schema.fields.count("Options"));
  EXPECT_EQ(read.schema.field_types.at("User").at("friends"), "[[User!]!]");
  EXPECT_EQ(read.schema.field_types.at("User").at("email"), "String");
  EXPECT_EQ(read.schema.possible.at("Node"), std::set<std::string>{"User"});
  EXPECT_EQ(read.schema.possible.at("Result"), (std::set<std::string>{"User", "Error"}));
}

TEST(GraphqlSchema, ErrorsSayWhere) {
  struct Case {
    const char* text;
    int line, column;
    const char* says;
  } cases[] = {
      {"type Query {\n  me User\n}", 2, 6, "expected \":\""},
      {"type Query { me: String }\n\"unterminated", 2, 1, "unterminated string"},
      {"type Query { me: % }", 1, 18, "unexpected character"},
      {"query { me }", 1, 1, "does not start a type system definition"},
      {"type Query { me: String", 1, 24, "the end of the schema"},
  };
  for (const auto& c : cases) {
    GraphqlRead read = read_graphql_schema(c.text);
    ASSERT_TRUE(read.error) << c.text;
    EXPECT_EQ(read.error->line, c.line) << c.text;
    EXPECT_EQ(read.error->column, c.column) << c.text;
    EXPECT_NE(read.error->message.find(c.says), std::string::npos) << read.error->message;
  }
  std::string deep = "type Query { me: " + std::string(100000, '[') + "Int" +
                     std::string(100000, ']') + " }";
  GraphqlRead read = read_graphql_schema(deep);
  ASSERT_TRUE(read.error);
  EXPECT_NE(read.error->message.find("nesting deeper than 64"), std::string::npos);
}

// An app folder with a schema file, synthesized from its path.
Synthesis synth_folder(const std::string& yaml, const char* schema_name, const std::string& schema) {
  // One folder per test: ctest runs them in parallel processes.
  auto dir = std::filesystem::temp_directory_path() /
             (std::string("pareto-graphql-") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "get");
  std::ofstream(dir / "get" / "index.py") << "def handler(event, context):\n    return None\n";
  if (schema_name) std::ofstream(dir / schema_name) << schema;
  return synthesize(yaml, {.source_name = "pareto.yaml", .base_dir = dir});
}

TEST(Graphql, TheSchemaIsReadBesideTheApp) {
  const std::string yaml =
      "app: x\nactions: [{name: get}]\ngraphql:\n"
      "  - {name: api, resolvers: [{type: Query, field: me, action: get}]}\n";
  EXPECT_TRUE(synth_folder(yaml, "api.graphql", "type Query { me: String }").ok());

  Synthesis missing = synth_folder(yaml, nullptr, "");
  EXPECT_EQ(testing_support::error_list(missing),
            std::vector<std::string>{"/graphql/0/name [E1005]"});
  EXPECT_NE(missing.errors[0].message.find("api.graphql"), std::string::npos);

  Synthesis text_only = testing_support::synth(yaml);
  EXPECT_EQ(testing_support::error_list(text_only), std::vector<std::string>{"/graphql/0 [E1005]"});

  Synthesis broken = synth_folder(yaml, "api.graphql", "type Query {\n  me User\n}");
  ASSERT_EQ(testing_support::error_list(broken), std::vector<std::string>{"/graphql/0/name [E2099]"});
  EXPECT_NE(broken.errors[0].message.find("api.graphql:2:6: expected \":\""), std::string::npos);

  Synthesis no_query = synth_folder(yaml, "api.graphql", "schema { query: Root }\ntype Query { me: String }");
  EXPECT_NE(testing_support::error_list(no_query).front().find("/graphql/0/name"), std::string::npos);
}

TEST(Graphql, AuthNeedsItsUserPoolAndOnlyThen) {
  const std::string resolvers = "resolvers: [{type: Query, field: me, action: get}]";
  Synthesis without = synth_folder(
      "app: x\nactions: [{name: get}]\ngraphql:\n  - {name: api, auth: userpool, " + resolvers + "}\n",
      "api.graphql", "type Query { me: String }");
  EXPECT_EQ(testing_support::error_list(without), std::vector<std::string>{"/graphql/0 [E2004]"});
  Synthesis extra = synth_folder(
      "app: x\nactions: [{name: get}]\nuserpools: [{name: p}]\ngraphql:\n"
      "  - {name: api, userpool: p, " + resolvers + "}\n",
      "api.graphql", "type Query { me: String }");
  EXPECT_EQ(testing_support::error_list(extra),
            std::vector<std::string>{"/graphql/0/userpool [E3008]"});
}

TEST(Graphql, AnActionResolvingTheApiServesNoOtherTrigger) {
  Synthesis result = synth_folder(
      "app: x\nactions: [{name: get}]\nqueues: [{name: q, action: get}]\ngraphql:\n"
      "  - {name: api, resolvers: [{type: Query, field: me, action: get}, "
      "{type: Query, field: you, action: get}]}\n",
      "api.graphql", "type Query { me: String, you: String }");
  std::vector<std::string> errors = testing_support::error_list(result);
  ASSERT_EQ(errors.size(), 1u) << result.errors_json("pareto.yaml").dump(2);
  EXPECT_NE(errors[0].find("E3004"), std::string::npos);
}

}  // namespace
}  // namespace pareto
