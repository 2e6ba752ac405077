// actions: the function, its role and log group, invocation, variables and grants.
#include <gtest/gtest.h>

#include <set>

#include "component_fixture.hpp"
#include "components/kind.hpp"
#include "embedded.hpp"

namespace pareto::testing_support {

TEST_F(Component, ActionMakesFunctionRoleAndLogGroup) {
  handler("a", "def handler(event, context):\n    return {}\n");
  json t = synth("app: x\nactions: [{name: a, size: large, timeout: long}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["AFunction"]["Type"], "AWS::Lambda::Function");
  EXPECT_EQ(r["AFunction"]["Properties"]["Role"], json::parse(R"({"Fn::GetAtt": ["AFunctionRole", "Arn"]})"));
  EXPECT_EQ(r["AFunction"]["Properties"]["Handler"], "index.handler");  // the archive is rooted at a/
  EXPECT_TRUE(r["AFunctionLogGroup"]["Properties"].contains("RetentionInDays"));
  EXPECT_TRUE(t["Parameters"].contains("MemorySizeLarge"));
  EXPECT_TRUE(t["Parameters"].contains("TimeoutLong"));
  // Logging only to its own log group.
  EXPECT_EQ(statements(t, "AFunctionRole")["Logs"]["Resource"],
            json::parse(R"([{"Fn::GetAtt": ["AFunctionLogGroup", "Arn"]}])"));
}

TEST_F(Component, AsyncActionRoutesFailuresThroughTheErrorHandler) {
  handler("a", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: a, invocation: async, retries: 1}]\n");
  const json& r = t["Resources"];
  const json& config = r["AFunctionInvokeConfig"]["Properties"];
  EXPECT_EQ(config["MaximumRetryAttempts"], 1);
  json queue = json::parse(R"({"Fn::GetAtt": ["ErrorsQueue", "Arn"]})");
  EXPECT_EQ(config["DestinationConfig"]["OnFailure"]["Destination"], queue);
  EXPECT_EQ(statements(t, "AFunctionRole")["Sqs"]["Resource"], json::array({queue}));
  // The handler reads the queue and publishes to the topic, and nothing else.
  EXPECT_TRUE(r["ErrorsFunction"]["Properties"]["Code"]["ZipFile"].get<std::string>().find(
                  "def handler") != std::string::npos);
  EXPECT_EQ(r["ErrorsFunctionMapping"]["Properties"]["EventSourceArn"], queue);
  json handler_statements = statements(t, "ErrorsFunctionRole");
  EXPECT_EQ(handler_statements["Sns"]["Resource"], json::parse(R"([{"Ref": "ErrorsTopic"}])"));
  EXPECT_EQ(handler_statements["Sqs"]["Resource"], json::array({queue}));
  EXPECT_TRUE(t["Outputs"].contains("ErrorsTopic"));
}

TEST_F(Component, PowertoolsAddsTheRegionalLayerAndItsVariables) {
  handler("a", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: a, powertools: true}]\n");
  const json& properties = t["Resources"]["AFunction"]["Properties"];
  std::string arn = properties["Layers"][0]["Fn::Sub"][0];
  EXPECT_EQ(arn.find("arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python${Minor}"), 0u);
  EXPECT_EQ(properties["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"], "x");
  EXPECT_TRUE(t["Parameters"].contains("LogLevel"));
  EXPECT_TRUE(t["Parameters"].contains("PowertoolsPythonLayerVersion"));
}

TEST_F(Component, VariablesInTheSourceScopeTheDeclaredPermissions) {
  handler("a", "import os\nTABLE = os.environ['USERS_TABLE']\nB = os.environ.get('UPLOADS_BUCKET')\n");
  json t = synth(
      "app: x\n"
      "actions: [{name: a, permissions: ['dynamodb:GetItem', 's3:GetObject']}]\n"
      "tables: [{name: users}]\n"
      "buckets: [{name: uploads}]\n");
  json env = t["Resources"]["AFunction"]["Properties"]["Environment"]["Variables"];
  EXPECT_EQ(env["USERS_TABLE"], json::parse(R"({"Ref": "UsersTable"})"));
  EXPECT_TRUE(env.contains("UPLOADS_BUCKET"));
  json s = statements(t, "AFunctionRole");
  EXPECT_EQ(s["Dynamodb"]["Resource"].dump().find("UsersTable") != std::string::npos, true) << s.dump(2);
  EXPECT_NE(s["S3"]["Resource"], json("*"));
  EXPECT_EQ(s["Dynamodb"]["Action"], json({"dynamodb:GetItem"}));
}

TEST_F(Component, AVariableNamingNothingIsAnError) {
  handler("a", "import os\nT = os.environ['ORDERS_TABLE']\n");
  Synthesis result = synthesize("app: x\nactions: [{name: a}]\n", {.source_name = "pareto.yaml", .base_dir = dir_});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].check, "E3007");
}

TEST_F(Component, InvocationFollowsWhatInvokesTheAction) {
  for (const char* name : {"ticker", "subscriber", "watcher", "endpoint"})
    handler(name, "def handler(e, c):\n    pass\n");
  json t = synth("app: x\nactions: [{name: ticker}, {name: subscriber}, {name: endpoint},\n"
                 "  {name: watcher, events: [{name: any, source: {type: custom}, pattern: {source: [me]}}]}]\n"
                 "timers: [{name: tick, action: ticker, rate: 1 hour}]\n"
                 "topics: [{name: news, action: subscriber}]\n"
                 "apis: [{name: web, endpoints: [{action: endpoint, method: GET, path: a}]}]\n");
  const json& r = t["Resources"];
  for (const char* async : {"TickerFunctionInvokeConfig", "SubscriberFunctionInvokeConfig",
                            "WatcherFunctionInvokeConfig"})
    EXPECT_TRUE(r.contains(async)) << async;
  EXPECT_FALSE(r.contains("EndpointFunctionInvokeConfig"));  // behind an endpoint: sync
}


// The sources an action's events name (this kind's schema.json) are the kinds that send events
// (an event_source hook), and custom patterns: a kind that starts sending events is named here.
TEST(ActionEvents, TheSourceTypesAreTheKindsThatSendEvents) {
  json schema = json::parse(embedded("schema/pareto.schema.json"));
  json types = schema["$defs"]["action"]["properties"]["events"]["items"]["properties"]["source"]
                     ["properties"]["type"]["enum"];
  std::set<std::string> named(types.begin(), types.end()), sending{"custom"};
  for (const Kind* kind : kinds())
    if (kind->event_source) sending.emplace(kind->suffix);
  EXPECT_EQ(named, sending);
}

}  // namespace pareto::testing_support
