// REST APIs: shared path prefixes, scoped invoke permissions, CORS, and redeploys on change.
#include <gtest/gtest.h>

#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;

json api_template(const std::string& endpoints) {
  Synthesis result = testing_support::synth(
      "app: x\nactions: [{name: a}, {name: b}]\napis: [{name: web, endpoints: " + endpoints + "}]\n");
  EXPECT_TRUE(result.ok()) << result.errors_json("pareto.yaml").dump(2);
  return result.ok() ? json::parse(result.template_json)["Resources"] : json::object();
}

std::string deployment_id(const json& resources) {
  for (const auto& [id, resource] : resources.items())
    if (resource["Type"] == "AWS::ApiGateway::Deployment") return id;
  return "";
}

TEST(Api, SharedPrefixesAreCreatedOnce) {
  json r = api_template("[{action: a, method: GET, path: 'users/{id}'}, {action: b, method: POST, path: users}]");
  int users = 0;
  for (const auto& [id, resource] : r.items())
    if (resource["Type"] == "AWS::ApiGateway::Resource" && resource["Properties"]["PathPart"] == "users") ++users;
  EXPECT_EQ(users, 1);
  EXPECT_EQ(r["WebApiUsersByIdResource"]["Properties"]["PathPart"], "{id}");
}

TEST(Api, InvokePermissionIsScopedToStageMethodAndPath) {
  json r = api_template("[{action: a, method: GET, path: 'users/{id}'}]");
  std::string arn = r["WebApiUsersByIdGetMethodPermission"]["Properties"]["SourceArn"]["Fn::Sub"];
  EXPECT_NE(arn.find("/GET/users/*"), std::string::npos) << arn;
}

TEST(Api, PreflightAllowsTheResourcesMethods) {
  json r = api_template("[{action: a, method: GET, path: users}, {action: b, method: DELETE, path: users}]");
  std::string options = r["WebApiUsersOptionsMethod"].dump();
  EXPECT_NE(options.find("GET"), std::string::npos);
  EXPECT_NE(options.find("DELETE"), std::string::npos);
  EXPECT_NE(options.find("OPTIONS"), std::string::npos);
  EXPECT_NE(r["WebApi4xxResponse"].dump().find("Access-Control-Allow-Origin"), std::string::npos);
}

TEST(Api, DeploymentIdChangesWithTheRoutes) {
  std::string one = deployment_id(api_template("[{action: a, method: GET, path: users}]"));
  std::string same = deployment_id(api_template("[{action: a, method: GET, path: users}]"));
  std::string two = deployment_id(api_template("[{action: a, method: GET, path: users}, {action: b, method: GET, path: orders}]"));
  EXPECT_FALSE(one.empty());
  EXPECT_EQ(one, same);
  EXPECT_NE(one, two);
}

TEST(Api, SchemaOnGetAndParametersOnBodiesAreErrors) {
  Synthesis result = testing_support::synth(
      "app: x\nactions: [{name: a}, {name: b}]\n"
      "apis: [{name: web, endpoints: [{action: a, method: GET, path: u, schema: {type: object}},\n"
      "                               {action: b, method: POST, path: v, parameters: [q]}]}]\n");
  ASSERT_EQ(result.errors.size(), 2u) << result.errors_json("pareto.yaml").dump(2);
  EXPECT_EQ(result.errors[0].path, "/apis/0/endpoints/0/schema");
  EXPECT_EQ(result.errors[1].path, "/apis/0/endpoints/1/parameters");
}

}  // namespace
}  // namespace pareto
