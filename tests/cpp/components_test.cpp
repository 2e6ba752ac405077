// One test per component kind: the resources it makes, and the grants scoped to them.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST_F(Component, StreamingTableRoutesChangesToEventBridge) {
  json t = synth("app: x\ntables: [{name: users, streaming: {batch-size: 10, retries: 2, debug: true}}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["UsersTable"]["Properties"]["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
  const json& mapping = r["UsersRouterFunctionMapping"]["Properties"];
  json stream = json::parse(R"({"Fn::GetAtt": ["UsersTable", "StreamArn"]})");
  EXPECT_EQ(mapping["EventSourceArn"], stream);
  EXPECT_EQ(mapping["BatchSize"], 10);
  EXPECT_EQ(mapping["MaximumRetryAttempts"], 2);
  EXPECT_EQ(mapping["BisectBatchOnFunctionError"], true);
  EXPECT_EQ(mapping["DestinationConfig"]["OnFailure"]["Destination"],
            json::parse(R"({"Fn::GetAtt": ["ErrorsQueue", "Arn"]})"));
  const json& router = r["UsersRouterFunction"]["Properties"];
  EXPECT_EQ(router["Environment"]["Variables"]["DEBUG"], "true");
  EXPECT_EQ(router["Environment"]["Variables"]["TABLE"], json::parse(R"({"Ref": "UsersTable"})"));
  EXPECT_FALSE(r["UsersRouterFunctionRole"]["Properties"].contains("RoleName"));
  // Least privilege: the stream, the default bus, the errors queue.
  json s = statements(t, "UsersRouterFunctionRole");
  EXPECT_EQ(s["Dynamodb"]["Resource"], json::array({stream}));
  EXPECT_EQ(s["Dynamodb"]["Action"].size(), 4u);
  EXPECT_EQ(s["Events"]["Resource"][0]["Fn::Sub"],
            "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default");
  EXPECT_EQ(s["Sqs"]["Action"], json({"sqs:SendMessage"}));
  EXPECT_FALSE(t.dump().find("\"Resource\":\"*\"") != std::string::npos);
}

TEST_F(Component, TableEventsNeedAStreamingTable) {
  handler("a", "def handler(event, context):\n    pass\n");
  std::string events = "actions: [{name: a, invocation: async, events: [{name: changed, source: {type: table, name: users}, "
                       "pattern: {detail-type: [MODIFY]}}]}]\n";
  Synthesis quiet = synthesize("app: x\n" + events + "tables: [{name: users}]\n",
                               {.source_name = "pareto.yaml", .base_dir = dir_});
  ASSERT_EQ(quiet.errors.size(), 1u);
  EXPECT_EQ(quiet.errors[0].path, "/actions/0/events/0/source/name");
  json t = synth("app: x\n" + events + "tables: [{name: users, streaming: {}}]\n");
  json pattern = t["Resources"]["AChangedRule"]["Properties"]["EventPattern"];
  EXPECT_EQ(pattern["source"], json({"pareto.table"}));
  EXPECT_EQ(pattern["detail"]["table"], json::parse(R"([{"Ref": "UsersTable"}])"));
  EXPECT_EQ(pattern["detail-type"], json({"MODIFY"}));
}

TEST_F(Component, BuilderIsACodeBuildProjectWithItsEvents) {
  handler("a", "def handler(event, context):\n    pass\n");
  fs::create_directories(dir_ / "layers");
  std::ofstream(dir_ / "layers" / "buildspec.yml") << "version: 0.2\n";
  json t = synth("app: x\nbuilders: [{name: layers, compute: medium}]\n"
                 "actions: [{name: a, invocation: async, events: [{name: built, source: {type: builder, name: layers}, "
                 "pattern: {detail: {build-status: [SUCCEEDED]}}}]}]\n");
  const json& r = t["Resources"];
  const json& project = r["LayersBuilder"]["Properties"];
  EXPECT_EQ(r["LayersBuilder"]["Type"], "AWS::CodeBuild::Project");
  EXPECT_EQ(project["Environment"]["ComputeType"], "BUILD_GENERAL1_MEDIUM");
  EXPECT_EQ(project["Source"]["BuildSpec"], "buildspec.yml");  // in its own archive, rooted at layers/
  EXPECT_EQ(r["LayersBuilderRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "codebuild.amazonaws.com");
  json s = statements(t, "LayersBuilderRole");
  EXPECT_EQ(s["S3"]["Action"], json({"s3:GetObject", "s3:GetObjectVersion"}));
  json pattern = r["ABuiltRule"]["Properties"]["EventPattern"];
  EXPECT_EQ(pattern["detail"]["project-name"], json::parse(R"([{"Ref": "LayersBuilder"}])"));
  EXPECT_EQ(pattern["detail"]["build-status"], json({"SUCCEEDED"}));
}

TEST_F(Component, BuilderNeedsItsBuildSpec) {
  Synthesis result = synthesize("app: x\nbuilders: [{name: layers}]\n", {.source_name = "pareto.yaml", .base_dir = dir_});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].path, "/builders/0/buildspec");
  EXPECT_EQ(result.errors[0].check, "E1005");
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

TEST_F(Component, SubMinuteTimerQueuesDelayedTicks) {
  handler("ticker", "def handler(event, context):\n    pass\n");
  json t = synth("app: x\nactions: [{name: ticker, invocation: async}]\n"
                 "timers: [{name: tick, action: ticker, interval: 15, body: {a: 1}}]\n");
  const json& r = t["Resources"];
  EXPECT_EQ(r["TickTimer"]["Properties"]["ScheduleExpression"], "rate(1 minute)");
  EXPECT_EQ(r["TickTimer"]["Properties"]["Targets"][0]["Arn"],
            json::parse(R"({"Fn::GetAtt": ["TickTickerFunction", "Arn"]})"));
  const json& variables = r["TickTickerFunction"]["Properties"]["Environment"]["Variables"];
  EXPECT_EQ(variables["INTERVAL"], "15");
  EXPECT_EQ(variables["BODY"], R"({"a":1})");
  EXPECT_EQ(r["TickTimerMapping"]["Properties"]["FunctionName"], json::parse(R"({"Ref": "TickerFunction"})"));
  json queue = json::parse(R"([{"Fn::GetAtt": ["TickTimerQueue", "Arn"]}])");
  EXPECT_EQ(statements(t, "TickTickerFunctionRole")["Sqs"]["Action"], json({"sqs:SendMessage"}));
  EXPECT_EQ(statements(t, "TickTickerFunctionRole")["Sqs"]["Resource"], queue);
  json receive;  // the action's other sqs statement sends to the errors queue
  json action_statements = statements(t, "TickerFunctionRole");
  for (const auto& [sid, statement] : action_statements.items())
    if (statement["Action"].dump().find("sqs:ReceiveMessage") != std::string::npos) receive = statement;
  EXPECT_EQ(receive["Resource"], queue);
}

TEST_F(Component, TimerMistakesAreReportedAtTheirPaths) {
  handler("ticker", "def handler(event, context):\n    pass\n");
  Synthesis result = synthesize(
      "app: x\nactions: [{name: ticker}]\n"
      "timers: [{name: tick, action: ticker, interval: 7}, {name: tock, action: ticker, rate: 1 minute, interval: 5}]\n",
      {.source_name = "pareto.yaml", .base_dir = dir_});
  std::vector<std::string> errors = testing_support::error_list(result);
  std::sort(errors.begin(), errors.end());
  // The ticker is async without saying so: timers invoke it asynchronously.
  EXPECT_EQ(errors, (std::vector<std::string>{"/timers/0/interval [E2006]", "/timers/1 [E3008]",
                                              "/timers/1/action [E3004]"}));
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
