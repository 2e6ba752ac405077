// One test per component kind: the resources it makes, and the grants scoped to them.
#include <gtest/gtest.h>

#include <fstream>

#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

// An app folder in a scratch directory: pareto.yaml plus a handler per action.
class Component : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pareto-components-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void handler(const std::string& action, const std::string& code) {
    fs::create_directories(dir_ / action);
    std::ofstream(dir_ / action / "index.py") << code;
  }

  json synth(const std::string& yaml) {
    result_ = synthesize(yaml, {.source_name = "pareto.yaml", .base_dir = dir_});
    EXPECT_TRUE(result_.ok()) << result_.errors_json("pareto.yaml").dump(2);
    return result_.ok() ? json::parse(result_.template_json) : json::object();
  }

  // The statements of an action's role, by Sid.
  static json statements(const json& t, const std::string& role) {
    json out = json::object();
    for (const auto& policy : t["Resources"][role]["Properties"]["Policies"])
      for (const auto& s : policy["PolicyDocument"]["Statement"]) out[s["Sid"].get<std::string>()] = s;
    return out;
  }

  fs::path dir_;
  Synthesis result_;
};

TEST_F(Component, ActionMakesFunctionRoleAndLogGroup) {
  handler("a", "def handler(event, context):\n    return {}\n");
  json t = synth("app: x\nactions: [{name: a, size: large, timeout: long}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["AFunction"]["Type"], "AWS::Lambda::Function");
  EXPECT_EQ(r["AFunction"]["Properties"]["Role"], json::parse(R"({"Fn::GetAtt": ["AFunctionRole", "Arn"]})"));
  EXPECT_EQ(r["AFunction"]["Properties"]["Handler"], "a/index.handler");
  EXPECT_TRUE(r["AFunctionLogGroup"]["Properties"].contains("RetentionInDays"));
  EXPECT_TRUE(t["Parameters"].contains("MemorySizeLarge"));
  EXPECT_TRUE(t["Parameters"].contains("TimeoutLong"));
  // Logging only to its own log group.
  EXPECT_EQ(statements(t, "AFunctionRole")["Logs"]["Resource"],
            json::parse(R"([{"Fn::GetAtt": ["AFunctionLogGroup", "Arn"]}])"));
}

TEST_F(Component, AsyncActionRoutesFailuresToTheErrorsTopic) {
  handler("a", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: a, invocation: async, retries: 1}]\n");
  const json& config = t["Resources"]["AFunctionInvokeConfig"]["Properties"];
  EXPECT_EQ(config["MaximumRetryAttempts"], 1);
  EXPECT_EQ(config["DestinationConfig"]["OnFailure"]["Destination"], json::parse(R"({"Ref": "ErrorsTopic"})"));
  EXPECT_TRUE(t["Outputs"].contains("ErrorsTopic"));
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

TEST_F(Component, BucketSendsEventsToEventBridge) {
  json t = synth("app: x\nbuckets: [{name: uploads}]\n");
  const json& props = t["Resources"]["UploadsBucket"]["Properties"];
  EXPECT_EQ(props["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"], true);
  EXPECT_TRUE(props.contains("BucketName"));
}

TEST_F(Component, TableIsOnDemandWithKeysAndIndexes) {
  json t = synth("app: x\ntables: [{name: users, indexes: [{name: email, type: S}]}]\n");
  const json& props = t["Resources"]["UsersTable"]["Properties"];
  EXPECT_EQ(props["BillingMode"], "PAY_PER_REQUEST");
  EXPECT_EQ(props["GlobalSecondaryIndexes"].size(), 1u);
  EXPECT_EQ(props["KeySchema"][0]["KeyType"], "HASH");
}

TEST_F(Component, QueueHasDeadLetterQueueAndMapping) {
  handler("worker", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: worker}]\nqueues: [{name: jobs, action: worker, batch: 7}]\n");
  const json& r = t["Resources"];
  EXPECT_TRUE(r["JobsQueue"]["Properties"].contains("RedrivePolicy"));
  EXPECT_EQ(r["JobsQueueMapping"]["Properties"]["BatchSize"], 7);
  json s = statements(t, "WorkerFunctionRole");
  ASSERT_TRUE(s.contains("Sqs")) << s.dump(2);
  for (const char* action : {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"})
    EXPECT_NE(s["Sqs"]["Action"].dump().find(action), std::string::npos) << action;
  EXPECT_NE(s["Sqs"]["Resource"], json("*"));
}

TEST_F(Component, TopicSubscribesItsAction) {
  handler("notify", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: notify}]\ntopics: [{name: alerts, action: notify}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["AlertsTopicSubscription"]["Properties"]["Protocol"], "lambda");
  EXPECT_EQ(r["AlertsTopicPermission"]["Properties"]["SourceArn"], json::parse(R"({"Ref": "AlertsTopic"})"));
}

TEST_F(Component, TimerRuleCarriesItsBody) {
  handler("ticker", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: ticker, invocation: async}]\n"
                 "timers: [{name: tick, action: ticker, schedule: 'cron(0 12 * * ? *)', body: {a: 1}}]\n");
  const json& rule = t["Resources"]["TickTimer"]["Properties"];
  EXPECT_EQ(rule["ScheduleExpression"], "cron(0 12 * * ? *)");
  EXPECT_EQ(rule["Targets"][0]["Input"], R"({"a":1})");
  EXPECT_TRUE(t["Resources"].contains("TickTimerPermission"));
}

TEST_F(Component, SecretIsGeneratedNeverPlainText) {
  json t = synth("app: x\nsecrets: [{name: api-token}]\n");
  const json& props = t["Resources"]["ApiTokenSecret"]["Properties"];
  EXPECT_TRUE(props.contains("GenerateSecretString"));
  EXPECT_FALSE(props.contains("SecretString"));
}

TEST_F(Component, UserPoolHasAdminAndWebClients) {
  json t = synth("app: x\nuserpools: [{name: main}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["MainUserpool"]["Type"], "AWS::Cognito::UserPool");
  EXPECT_EQ(r["MainUserpoolAdminClient"]["Type"], "AWS::Cognito::UserPoolClient");
  EXPECT_EQ(r["MainUserpoolWebClient"]["Type"], "AWS::Cognito::UserPoolClient");
}

TEST_F(Component, LayerIsAnArnParameter) {
  handler("a", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: a, layers: [deps]}]\nlayers: [{name: deps}]\n");
  ASSERT_EQ(t["Resources"]["AFunction"]["Properties"]["Layers"].size(), 1u);
  std::string parameter = t["Resources"]["AFunction"]["Properties"]["Layers"][0]["Ref"];
  EXPECT_TRUE(t["Parameters"].contains(parameter));
}

}  // namespace
}  // namespace pareto
