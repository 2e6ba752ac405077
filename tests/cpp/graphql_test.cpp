// pareto dev's GraphQL answers: the query's grammar, AppSync's checks, resolution through the
// resolvers, and nulls carried up as the spec says.
#include <gtest/gtest.h>

#include "engine/graphql.hpp"

namespace pareto::engine {
namespace {
using json = nlohmann::json;

constexpr std::string_view kSchema = R"(
type Query { me: Member, team(name: String): Team, search: [Result], ids: [ID!]! }
type Mutation { rename(name: String!): Member }
interface Named { name: String }
type Member implements Named { id: ID!, name: String, friends: [Member!] }
type Team implements Named { name: String, members: [Member] }
union Result = Member | Team
)";

struct Answered {
  json body;
  std::vector<GraphqlField> calls;
};

// The request answered with resolvers that answer from `results` by "Type.field" (a missing one
// fails as a handler's exception would).
Answered answer(const json& request, const json& results) {
  GraphqlApiModel api;
  api.schema = read_graphql_schema(kSchema).schema;
  for (const auto& [key, _] : results.items()) api.resolved.emplace(key.substr(0, key.find('.')), key.substr(key.find('.') + 1));
  api.resolved.emplace("Query", "ids");
  Answered out;
  GraphqlResolve resolve = [&](GraphqlField field) -> Task<json> {
    out.calls.push_back(field);
    std::string key = field.type + "." + field.field;
    if (!results.contains(key)) co_return json{{"error", {{"errorType", "ValueError"}, {"errorMessage", "no " + key}}}};
    co_return json{{"result", results[key]}};
  };
  Task<json> task = answer_graphql(api, request, resolve);
  task.resume();
  EXPECT_TRUE(task.done());
  out.body = task.result();
  return out;
}

TEST(GraphqlQuery, FieldsResolvedAndReadFromTheirParents) {
  json me = {{"id", "1"}, {"name", "Ada"}, {"friends", {{{"id", "2"}, {"name", "Grace"}}}}};
  Answered a = answer({{"query", "{ me { name friends { who: name } } }"}}, {{"Query.me", me}});
  EXPECT_EQ(a.body, json::parse(R"({"data": {"me": {"name": "Ada", "friends": [{"who": "Grace"}]}}})"));
  ASSERT_EQ(a.calls.size(), 1U);
  EXPECT_EQ(a.calls[0].event["info"]["selectionSetList"], json::parse(R"(["name", "friends", "friends/who"])"));
  EXPECT_EQ(a.calls[0].event["info"]["selectionSetGraphQL"], "{\n  name\n  friends {\n    who: name\n  }\n}");
  EXPECT_EQ(a.calls[0].event["info"]["parentTypeName"], "Query");
  EXPECT_EQ(a.calls[0].event["source"], json());
}

TEST(GraphqlQuery, ArgumentsVariablesAndTheirDefaults) {
  json request = {{"query", "query T($name: String = \"core\", $unused: Int) { team(name: $name) { name } }"}};
  Answered a = answer(request, {{"Query.team", {{"name", "core"}}}});
  EXPECT_EQ(a.calls.at(0).event["arguments"], json::parse(R"({"name": "core"})"));
  request["variables"] = {{"name", "ops"}};
  a = answer(request, {{"Query.team", {{"name", "ops"}}}});
  EXPECT_EQ(a.calls.at(0).event["arguments"], json::parse(R"({"name": "ops"})"));
  EXPECT_EQ(a.calls.at(0).event["info"]["variables"], json::parse(R"({"name": "ops"})"));
  // Arguments are not checked against their types here (AppSync does, on AWS).
  a = answer({{"query", "{ team(name: {a: [1, 2.5, \"b\", ENUM], c: null}) { name } }"}}, {{"Query.team", json()}});
  EXPECT_EQ(a.calls.at(0).event["arguments"], json::parse(R"({"name": {"a": [1, 2.5, "b", "ENUM"], "c": null}})"));
  EXPECT_EQ(a.body, json::parse(R"({"data": {"team": null}})"));
}

TEST(GraphqlQuery, FragmentsDirectivesAndAbstractTypes) {
  json results = {{"Query.search", {{{"__typename", "Member"}, {"id", "1"}, {"name", "Ada"}},
                                    {{"__typename", "Team"}, {"name", "core"}}}}};
  Answered a = answer({{"query", "{ search { __typename ... on Member { id } ...N } } fragment N on Named { name }"}}, results);
  EXPECT_EQ(a.body, json::parse(R"({"data": {"search": [{"__typename": "Member", "id": "1", "name": "Ada"},
                                                         {"__typename": "Team", "name": "core"}]}})"));
  a = answer({{"query", "query($x: Boolean) { me { id @skip(if: true) name @include(if: $x) } }"},
              {"variables", {{"x", false}}}},
             {{"Query.me", {{"id", "1"}, {"name", "Ada"}}}});
  EXPECT_EQ(a.body, json::parse(R"({"data": {"me": {}}})"));
  a = answer({{"query", "{ search { __typename } }"}}, {{"Query.search", {{{"name", "untyped"}}}}});
  EXPECT_EQ(a.body["data"], json::parse(R"({"search": [null]})"));
  EXPECT_EQ(a.body["errors"][0]["message"], "Could not determine the exact type of Result. Missing __typename key on value.");
}

TEST(GraphqlQuery, ANonNullFieldsNullMakesTheNearestNullableParentNull) {
  // friends is [Member!]: a friend without its ID! makes the friend null, which Member! carries
  // up to the list, and the list is nullable.
  json me = {{"id", "1"}, {"friends", {{{"name", "Grace"}}}}};
  Answered a = answer({{"query", "{ me { id friends { id } } }"}}, {{"Query.me", me}});
  EXPECT_EQ(a.body["data"], json::parse(R"({"me": {"id": "1", "friends": null}})"));
  ASSERT_EQ(a.body["errors"].size(), 1U);
  EXPECT_EQ(a.body["errors"][0]["message"],
            "Cannot return null for non-nullable type: 'ID' within parent 'Member' (/me/friends[0]/id)");
  EXPECT_EQ(a.body["errors"][0]["path"], json::parse(R"(["me", "friends", 0, "id"])"));
  // ids is [ID!]!: its failing resolver makes the whole answer's data null, said once.
  a = answer({{"query", "{ me { id } ids }"}}, {{"Query.me", me}});
  EXPECT_EQ(a.body["data"], json());
  ASSERT_EQ(a.body["errors"].size(), 1U);
  EXPECT_EQ(a.body["errors"][0]["errorType"], "ValueError");
  EXPECT_EQ(a.body["errors"][0]["path"], json::parse(R"(["ids"])"));
}

TEST(GraphqlQuery, ChecksEveryFailureBeforeRunningAnything) {
  Answered a = answer({{"query", "{ me { shoe friends } team { ...Missing } ids { id } }"}}, {{"Query.me", json::object()}});
  EXPECT_TRUE(a.calls.empty());
  std::vector<std::string> messages;
  for (const auto& error : a.body["errors"]) messages.push_back(error["message"]);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "Validation error of type FieldUndefined: Field 'shoe' in type 'Member' is undefined @ 'me/shoe'",
                          "Validation error of type SubSelectionRequired: Sub selection required for type [Member!] of field friends @ 'me/friends'",
                          "Validation error of type UndefinedFragment: Undefined fragment Missing @ 'team'",
                          "Validation error of type SubSelectionNotAllowed: Sub selection not allowed on leaf type [ID!]! of field ids @ 'ids'"}));
  EXPECT_EQ(a.body["errors"][0]["locations"], json::parse(R"([{"line": 1, "column": 8, "sourceName": null}])"));
}

TEST(GraphqlQuery, RequestsItCannotRun) {
  auto message = [](const json& request) { return answer(request, json::object()).body["errors"][0]["message"]; };
  EXPECT_EQ(message({{"query", "{ me { name }"}}), "Invalid Syntax: expected a name, found the end of the query");
  EXPECT_EQ(message({{"query", "{ me(name: \"\\q\") { name } }"}}), "Invalid Syntax: the string has an escape GraphQL does not know");
  EXPECT_EQ(message({{"query", "query A { me { id } } query B { ids }"}}),
            "Must provide operation name if query contains multiple operations.");
  EXPECT_EQ(message({{"query", "query A { ids }"}, {"operationName", "B"}}), "Unknown operation named 'B'.");
  EXPECT_EQ(message({{"query", "subscription { me { id } }"}}), "pareto dev does not serve subscriptions");
  EXPECT_EQ(message({{"query", "{ __schema { types { name } } }"}}),
            "pareto dev does not serve introspection (__schema) @ '__schema'");
  EXPECT_EQ(message(json::array()), "the body is not a GraphQL request: {\"query\": \"…\", \"variables\": {…}}");
}

TEST(GraphqlQuery, MutationsAndAUnicodeArgument) {
  Answered a = answer({{"query", R"(mutation { rename(name: "Ad\u00e1 \uD83D\uDE00") { name } })"}},
                      {{"Mutation.rename", {{"id", "1"}, {"name", "Adá 😀"}}}});
  EXPECT_EQ(a.calls.at(0).event["arguments"]["name"], "Adá 😀");
  EXPECT_EQ(a.body, json::parse(R"({"data": {"rename": {"name": "Adá 😀"}}})"));
}

}  // namespace
}  // namespace pareto::engine
