#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "engine/moto.hpp"
#include "support.hpp"

namespace pareto::engine {
namespace {
using nlohmann::ordered_json;

// The case python/tests/test_local.py checked: unmodelled resources (a secret, a validator) and
// every kind of reference to them, a MOCK method and a DependsOn that needs reordering.
const ordered_json kTemplate = {
    {"Resources",
     {{"Deployment",
       {{"Type", "AWS::ApiGateway::Deployment"},
        {"DependsOn", {"Options", "Validator"}},
        {"Properties", {{"RestApiId", {{"Ref", "Api"}}}}}}},
      {"Api", {{"Type", "AWS::ApiGateway::RestApi"}, {"Properties", {{"Name", "api"}}}}},
      {"Options",
       {{"Type", "AWS::ApiGateway::Method"},
        {"Properties",
         {{"HttpMethod", "OPTIONS"},
          {"RestApiId", {{"Ref", "Api"}}},
          {"Integration", {{"Type", "MOCK"}}}}}}},
      {"Validator",
       {{"Type", "AWS::ApiGateway::RequestValidator"}, {"Properties", ordered_json::object()}}},
      {"Secret",
       {{"Type", "AWS::SecretsManager::Secret"}, {"Properties", ordered_json::object()}}},
      {"Function",
       {{"Type", "AWS::Lambda::Function"},
        {"Properties",
         {{"Environment",
           {{"Variables",
             {{"TOKEN_SECRET", {{"Ref", "Secret"}}},
              {"ARN", {{"Fn::GetAtt", {"Secret", "Arn"}}}},
              {"SUB", {{"Fn::Sub", "${Secret}/${Api}/${AWS::Region}"}}}}}}}}}}}}},
    {"Outputs",
     {{"Secret", {{"Value", {{"Ref", "Secret"}}}}}, {"Api", {{"Value", {{"Ref", "Api"}}}}}}}};

std::vector<std::string> keys(const ordered_json& object) {
  std::vector<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.push_back(it.key());
  return out;
}

ordered_json resource(std::string type, ordered_json properties = ordered_json::object()) {
  return {{"Type", std::move(type)}, {"Properties", std::move(properties)}};
}

TEST(MotoAdapt, UnmodelledResourcesAndReferencesToThemGo) {
  Adapted adapted = adapt_for_moto(kTemplate);
  const ordered_json& resources = adapted.templ["Resources"];
  EXPECT_EQ(keys(resources),
            (std::vector<std::string>{"Options", "Deployment", "Api", "Function"}));
  EXPECT_EQ(resources["Deployment"]["DependsOn"], ordered_json::array({"Options"}));
  EXPECT_EQ(resources["Function"]["Properties"]["Environment"]["Variables"],
            (ordered_json{{"TOKEN_SECRET", "local:Secret"},
                          {"ARN", "local:Secret"},
                          {"SUB", {{"Fn::Sub", "local:Secret/${Api}/${AWS::Region}"}}}}));
  EXPECT_EQ(keys(adapted.templ["Outputs"]), std::vector<std::string>{"Api"});
  EXPECT_EQ(resources["Options"]["Properties"]["Integration"],
            (ordered_json{
                {"Type", "MOCK"}, {"Uri", "local:mock"}, {"IntegrationHttpMethod", "POST"}}));
  EXPECT_EQ(adapted.changes,
            (std::vector<std::string>{
                "dropped Secret (AWS::SecretsManager::Secret): moto does not model it",
                "dropped Validator (AWS::ApiGateway::RequestValidator): moto does not model it",
                "gave MOCK method Options a placeholder Integration Uri",
                "ordered the resources so that DependsOn targets come first",
                "dropped output Secret: it names a dropped resource",
            }));
  EXPECT_EQ(adapted.through_api.alarms, json::object());
}

TEST(MotoAdapt, TheTextKeepsTheDependencyOrder) {
  std::string text = adapt_for_moto(kTemplate).templ.dump(2);
  size_t options = text.find("\"Options\": {");
  size_t deployment = text.find("\"Deployment\": {");
  ASSERT_NE(options, std::string::npos);
  ASSERT_NE(deployment, std::string::npos);
  EXPECT_LT(options, deployment);
}

TEST(MotoAdapt, ATemplateMotoModelsIsLeftAlone) {
  ordered_json templ = {{"Resources", {{"Queue", resource("AWS::SQS::Queue")}}},
                        {"Outputs", {{"Queue", {{"Value", {{"Ref", "Queue"}}}}}}}};
  Adapted adapted = adapt_for_moto(templ);
  EXPECT_EQ(adapted.templ, templ);
  EXPECT_TRUE(adapted.changes.empty());
}

TEST(MotoAdapt, ATemplateWithoutResourcesIsLeftAlone) {
  ordered_json templ = {{"Description", "nothing"}};
  Adapted adapted = adapt_for_moto(templ);
  EXPECT_EQ(adapted.templ, templ);
  EXPECT_TRUE(adapted.changes.empty());
}

TEST(MotoAdapt, DependsOnKeepsTheListFormAndGoesWhenEmpty) {
  ordered_json templ = {
      {"Resources",
       {{"Secret", resource("AWS::SecretsManager::Secret")},
        {"Queue", resource("AWS::SQS::Queue")},
        {"OnQueue", {{"Type", "AWS::SQS::Queue"}, {"DependsOn", "Queue"}}},
        {"OnSecret", {{"Type", "AWS::SQS::Queue"}, {"DependsOn", "Secret"}}},
        {"OnNothing", {{"Type", "AWS::SQS::Queue"}, {"DependsOn", ordered_json::array()}}}}}};
  const ordered_json resources = adapt_for_moto(templ).templ["Resources"];
  EXPECT_EQ(resources["OnQueue"]["DependsOn"], ordered_json::array({"Queue"}));
  EXPECT_FALSE(resources["OnSecret"].contains("DependsOn"));
  EXPECT_FALSE(resources["OnNothing"].contains("DependsOn"));
}

TEST(MotoAdapt, EveryFormOfReferenceIsUnreferenced) {
  ordered_json properties = {
      {"GetAttString", {{"Fn::GetAtt", "Secret.Arn"}}},
      {"SubAttribute", {{"Fn::Sub", "${Secret.Arn}|${!Secret}|${Queue.Arn}"}}},
      {"SubList",
       {{"Fn::Sub", {"${Name}-${Secret}", {{"Name", {{"Ref", "Secret"}}}}}}}},
      {"Kept", ordered_json::array({{{"Ref", "Queue"}}, {{"Fn::GetAtt", {"Queue", "Arn"}}}})},
      {"RefParameter", {{"Ref", "StageName"}}}};
  ordered_json templ = {{"Resources",
                         {{"Secret", resource("AWS::SecretsManager::Secret")},
                          {"Queue", resource("AWS::SQS::Queue")},
                          {"Function", resource("AWS::Lambda::Function", properties)}}}};
  EXPECT_EQ(adapt_for_moto(templ).templ["Resources"]["Function"]["Properties"],
            (ordered_json{
                {"GetAttString", "local:Secret"},
                {"SubAttribute", {{"Fn::Sub", "local:Secret|${!Secret}|${Queue.Arn}"}}},
                {"SubList", {{"Fn::Sub", {"${Name}-local:Secret", {{"Name", "local:Secret"}}}}}},
                {"Kept", properties["Kept"]},
                {"RefParameter", {{"Ref", "StageName"}}}}));
}

TEST(MotoAdapt, OnlyMockMethodsWithoutAUriGetAPlaceholder) {
  auto method = [](ordered_json integration) {
    return resource("AWS::ApiGateway::Method", {{"Integration", std::move(integration)}});
  };
  ordered_json templ = {
      {"Resources",
       {{"Mock", method({{"Type", "MOCK"}, {"IntegrationHttpMethod", "GET"}})},
        {"MockWithUri", method({{"Type", "MOCK"}, {"Uri", "https://example.com"}})},
        {"Proxy", method({{"Type", "AWS_PROXY"}, {"Uri", "arn"}})},
        {"Bare", {{"Type", "AWS::ApiGateway::Method"}}}}}};
  Adapted adapted = adapt_for_moto(templ);
  const ordered_json& resources = adapted.templ["Resources"];
  // IntegrationHttpMethod is overwritten, in its place: moto's MOCK placeholder is a POST.
  EXPECT_EQ(resources["Mock"]["Properties"]["Integration"],
            (ordered_json{
                {"Type", "MOCK"}, {"IntegrationHttpMethod", "POST"}, {"Uri", "local:mock"}}));
  EXPECT_EQ(resources["MockWithUri"], templ["Resources"]["MockWithUri"]);
  EXPECT_EQ(resources["Proxy"], templ["Resources"]["Proxy"]);
  EXPECT_EQ(resources["Bare"], templ["Resources"]["Bare"]);
  EXPECT_EQ(adapted.changes,
            std::vector<std::string>{"gave MOCK method Mock a placeholder Integration Uri"});
}

TEST(MotoAdapt, OrderPutsTargetsFirstAndSurvivesCycles) {
  auto queue = [](ordered_json depends_on) {
    return ordered_json{{"Type", "AWS::SQS::Queue"}, {"DependsOn", std::move(depends_on)}};
  };
  ordered_json templ = {{"Resources",
                         {{"A", queue({"C", "Missing"})},
                          {"B", resource("AWS::SQS::Queue")},
                          {"C", queue("D")},
                          {"D", resource("AWS::SQS::Queue")},
                          {"X", queue("Y")},
                          {"Y", queue("X")}}}};
  Adapted adapted = adapt_for_moto(templ);
  EXPECT_EQ(keys(adapted.templ["Resources"]),
            (std::vector<std::string>{"D", "C", "A", "B", "Y", "X"}));
  EXPECT_EQ(adapted.templ["Resources"]["A"]["DependsOn"], ordered_json::array({"C", "Missing"}));
  EXPECT_EQ(adapted.changes,
            std::vector<std::string>{"ordered the resources so that DependsOn targets come first"});
}

TEST(MotoAdapt, OutputsNamingADroppedResourceGoInNameOrder) {
  ordered_json templ = {
      {"Resources",
       {{"Secret", resource("AWS::SecretsManager::Secret")},
        {"Queue", resource("AWS::SQS::Queue")}}},
      {"Outputs",
       {{"Zeta", {{"Value", {{"Fn::GetAtt", {"Secret", "Arn"}}}}}},
        {"Queue", {{"Value", {{"Fn::GetAtt", "Queue.Arn"}}}}},
        {"Alpha", {{"Value", {{"Fn::Sub", "${Secret.Arn}"}}}}}}}};
  Adapted adapted = adapt_for_moto(templ);
  EXPECT_EQ(keys(adapted.templ["Outputs"]), std::vector<std::string>{"Queue"});
  EXPECT_EQ(adapted.changes,
            (std::vector<std::string>{
                "dropped Secret (AWS::SecretsManager::Secret): moto does not model it",
                "dropped output Alpha: it names a dropped resource",
                "dropped output Zeta: it names a dropped resource"}));
}

TEST(MotoAdapt, AlarmsAreRecordedAndDropped) {
  ordered_json alarm = {{"MetricName", "Errors"}, {"Dimensions", {{{"Name", "FunctionName"},
                                                                    {"Value", {{"Ref", "Fn"}}}}}}};
  ordered_json templ = {{"Resources",
                         {{"Fn", resource("AWS::Lambda::Function")},
                          {"FnErrors", resource("AWS::CloudWatch::Alarm", alarm)}}}};
  Adapted adapted = adapt_for_moto(templ);
  EXPECT_EQ(adapted.through_api.alarms, (json{{"FnErrors", json(alarm)}}));
  EXPECT_EQ(keys(adapted.templ["Resources"]), std::vector<std::string>{"Fn"});
  EXPECT_EQ(adapted.changes,
            std::vector<std::string>{
                "dropped FnErrors (AWS::CloudWatch::Alarm): moto does not model it"});
}

TEST(MotoTypes, AreMotosOwnSortedList) {
  const auto& types = moto_types();
  EXPECT_TRUE(types.contains("AWS::SQS::Queue"));
  EXPECT_TRUE(types.contains("AWS::ApiGateway::Method"));
  EXPECT_TRUE(types.contains("AWS::CloudFormation::WaitConditionHandle"));  // a null model
  EXPECT_FALSE(types.contains("AWS::CloudWatch::Alarm"));
  EXPECT_FALSE(types.contains("AWS::SecretsManager::Secret"));
  std::ifstream file(testing_support::kSourceDir / "libpareto/data/engine/moto-types.json");
  json listed = json::parse(file);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
  EXPECT_EQ(listed.size(), types.size());
}

// Every template the vectors expect: what moto does not model is gone, no reference or DependsOn
// names it, and every DependsOn target comes first.
TEST(MotoAdapt, TheVectorsTemplatesBecomeCreatable) {
  int checked = 0;
  std::filesystem::path vectors = testing_support::kSourceDir / "tests/vectors";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(vectors)) {
    if (entry.path().filename() != "template.json") continue;
    std::ifstream file(entry.path());
    Adapted adapted = adapt_for_moto(ordered_json::parse(file));
    std::string text = adapted.templ.dump();
    std::set<std::string> placed;
    for (const auto& [id, resource] : adapted.templ["Resources"].items()) {
      EXPECT_TRUE(moto_types().contains(resource["Type"].get<std::string>())) << entry.path();
      for (const auto& target : resource.value("DependsOn", ordered_json::array()))
        EXPECT_TRUE(placed.contains(target.get<std::string>())) << entry.path() << " " << id;
      placed.insert(id);
    }
    for (const auto& change : adapted.changes) {
      if (!change.starts_with("dropped ") || change.starts_with("dropped output ")) continue;
      std::string id = change.substr(8, change.find(' ', 8) - 8);
      EXPECT_EQ(text.find("\"" + id + "\""), std::string::npos) << entry.path() << " " << id;
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

const Resolver kResolver(
    {{"Queue", "https://sqs.us-east-1.amazonaws.com/123456789012/app-Queue-X1"},
     {"Bare", "no-slash"},
     {"Topic", "arn:aws:sns:us-east-1:123456789012:topic"}},
    {{"StageName", "dev"}, {"AWS::Region", "us-east-1"}});

TEST(MotoResolver, NamesResourcesParametersAndQueues) {
  EXPECT_EQ(kResolver.name("Topic"), "arn:aws:sns:us-east-1:123456789012:topic");
  EXPECT_EQ(kResolver.name("StageName"), "dev");
  EXPECT_EQ(kResolver.name("AWS::Region"), "us-east-1");
  EXPECT_EQ(kResolver.name("Secret"), "local:Secret");
  EXPECT_EQ(kResolver.name("Queue.QueueName"), "app-Queue-X1");
  EXPECT_EQ(kResolver.name("Bare.QueueName"), "no-slash");
  EXPECT_EQ(kResolver.name("Missing.QueueName"), "");
  EXPECT_EQ(kResolver.name("Topic.Arn"), "local:Topic.Arn");
  EXPECT_EQ(kResolver.name("Topic."), "arn:aws:sns:us-east-1:123456789012:topic");
}

TEST(MotoResolver, ResolvesIntrinsicsAtAnyDepth) {
  json properties = {
      {"AlarmActions", {{{"Ref", "Topic"}}}},
      {"Dimensions",
       {{{"Name", "QueueName"}, {"Value", {{"Fn::GetAtt", {"Queue", "QueueName"}}}}}}},
      {"String", {{"Fn::GetAtt", "Queue.QueueName"}}},
      {"Sub", {{"Fn::Sub", "${AWS::Region}/${StageName}/${Queue.QueueName}/${!Literal}/${A.B.C}"}}},
      {"SubList", {{"Fn::Sub", {"${X}", {{"X", "x"}}}}}},
      {"Threshold", 1},
      {"Two", {{"Ref", "Topic"}, {"Other", 2}}}};
  EXPECT_EQ(kResolver(properties),
            (json{{"AlarmActions", {"arn:aws:sns:us-east-1:123456789012:topic"}},
                  {"Dimensions", {{{"Name", "QueueName"}, {"Value", "app-Queue-X1"}}}},
                  {"String", "app-Queue-X1"},
                  {"Sub", "us-east-1/dev/app-Queue-X1/${!Literal}/${A.B.C}"},
                  {"SubList", {{"Fn::Sub", {"${X}", {{"X", "x"}}}}}},
                  {"Threshold", 1},
                  {"Two", {{"Ref", "Topic"}, {"Other", 2}}}}));
}

// Runs a flow to its end, answering its steps in order from `answers` and recording them.
template <typename T>
T run(Session& session, Task<T> task, std::vector<json> answers, std::vector<json>& steps) {
  task.resume();
  while (!task.done()) {
    steps.push_back(session.pending().data);
    if (steps.size() > answers.size()) throw std::logic_error("the flow took more steps");
    session.answer(answers[steps.size() - 1]);
    session.resume();
  }
  EXPECT_EQ(steps.size(), answers.size());
  return task.result();
}

json response(json body) { return {{"response", std::move(body)}}; }

json call(std::string service, std::string operation, json params) {
  return {{"step", "call"}, {"service", service}, {"operation", operation}, {"params", params}};
}

const json kStacks = {
    {"Stacks",
     {{{"StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1"},
       {"Parameters", {{{"ParameterKey", "StageName"}, {"ParameterValue", "dev"}}}}}}}};

TEST(MotoResolver, ReadsTheDeployedStack) {
  Session session(HostFacts{});
  std::vector<json> steps;
  Resolver resolve = run(
      session, Resolver::for_stack(session, "app"),
      {response(kStacks),
       response({{"StackResourceSummaries",
                  {{{"LogicalResourceId", "Topic"}, {"PhysicalResourceId", "arn:topic"}},
                   {{"LogicalResourceId", "Pending"}}}},
                 {"NextToken", "2"}}),
       response({{"StackResourceSummaries",
                  {{{"LogicalResourceId", "Queue"}, {"PhysicalResourceId", "https://q/app-Q"}}}}})},
      steps);
  EXPECT_EQ(steps, (std::vector<json>{
                       call("cloudformation", "DescribeStacks", {{"StackName", "app"}}),
                       call("cloudformation", "ListStackResources", {{"StackName", "app"}}),
                       call("cloudformation", "ListStackResources",
                            {{"StackName", "app"}, {"NextToken", "2"}})}));
  EXPECT_EQ(resolve.name("Topic"), "arn:topic");
  EXPECT_EQ(resolve.name("Pending"), "");
  EXPECT_EQ(resolve.name("Queue.QueueName"), "app-Q");
  EXPECT_EQ(resolve.name("StageName"), "dev");
  EXPECT_EQ(resolve.name("AWS::StackName"), "app");
  EXPECT_EQ(resolve.name("AWS::Partition"), "aws");
  EXPECT_EQ(resolve.name("AWS::Region"), "us-east-1");
  EXPECT_EQ(resolve.name("AWS::AccountId"), "123456789012");
}

const json kUpdateStack =
    call("cloudformation", "UpdateStack",
         {{"StackName", "app"},
          {"UsePreviousTemplate", true},
          {"Capabilities", {"CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}});

TEST(MotoHooks, AfterExecuteWithoutAlarmsOnlyUpdates) {
  Session session(HostFacts{});
  std::vector<json> steps;
  auto notes = run(session, after_execute(session, "app", ThroughApi{}),
                   {response({{"StackId", "arn"}})}, steps);
  EXPECT_EQ(steps, std::vector<json>{kUpdateStack});
  EXPECT_TRUE(notes.empty());
}

TEST(MotoHooks, AfterExecuteCreatesTheAlarmsInLogicalIdOrder) {
  json alarms = {
      {"Zed", {{"MetricName", "Errors"}, {"AlarmActions", {{{"Ref", "Topic"}}}}}},
      {"Alpha",
       {{"MetricName", "Age"}, {"AlarmDescription", {{"Fn::Sub", "${AWS::StackName}"}}}}}};
  Session session(HostFacts{});
  std::vector<json> steps;
  auto notes =
      run(session, after_execute(session, "app", ThroughApi{.alarms = alarms}),
          {response({{"StackId", "arn"}}), response(kStacks),
           response({{"StackResourceSummaries",
                      {{{"LogicalResourceId", "Topic"}, {"PhysicalResourceId", "arn:topic"}}}}}),
           response(json::object()), response(json::object())},
          steps);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0], kUpdateStack);
  EXPECT_EQ(steps[3], call("cloudwatch", "PutMetricAlarm",
                           {{"AlarmName", "app-Alpha"}, {"MetricName", "Age"},
                            {"AlarmDescription", "app"}}));
  EXPECT_EQ(steps[4], call("cloudwatch", "PutMetricAlarm",
                           {{"AlarmName", "app-Zed"}, {"MetricName", "Errors"},
                            {"AlarmActions", {"arn:topic"}}}));
  EXPECT_EQ(notes, std::vector<std::string>{
                       "created 2 alarms through CloudWatch's API, named app-<LogicalId>: "
                       "moto's CloudFormation does not model them"});
}

TEST(MotoHooks, AfterExecuteAppliesWhatMotosCloudFormationIgnores) {
  ordered_json templ = ordered_json::parse(R"({"Resources": {
    "Files": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "files",
      "VersioningConfiguration": {"Status": "Enabled"},
      "CorsConfiguration": {"CorsRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"],
                                           "ExposedHeaders": ["ETag"], "MaxAge": 30}]},
      "LifecycleConfiguration": {"Rules": [{"Id": "under tmp/", "Prefix": "tmp/", "Status": "Enabled",
        "ExpirationInDays": 1, "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 0}]}]},
      "WebsiteConfiguration": {"IndexDocument": "index.html", "ErrorDocument": "error.html"}}},
    "FilesPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Files"},
      "PolicyDocument": {"Statement": [{"Resource": {"Fn::Sub": "${Files.Arn}/*"}}]}}},
    "Plain": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "plain"}},
    "Sessions": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "sessions",
      "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": true}}}}})");
  Adapted adapted = adapt_for_moto(templ);
  EXPECT_EQ(adapted.through_api.settings.size(), 3u) << "the plain bucket has nothing to apply";
  Session session(HostFacts{});
  std::vector<json> steps;
  json summaries = json::array();
  for (const char* id : {"Files", "Sessions"})
    summaries.push_back({{"LogicalResourceId", id},
                         {"PhysicalResourceId", std::string(id) + "-physical"},
                         {"ResourceType", id == std::string("Files") ? "AWS::S3::Bucket"
                                                                     : "AWS::DynamoDB::Table"}});
  std::vector<json> answers = {response({{"StackId", "arn"}}), response(kStacks),
                               response({{"StackResourceSummaries", summaries}})};
  answers.resize(answers.size() + 6, response(json::object()));
  auto notes = run(session, after_execute(session, "app", adapted.through_api), answers, steps);
  ASSERT_EQ(steps.size(), 9u);
  EXPECT_EQ(steps[3], call("s3", "PutBucketVersioning",
                           {{"Bucket", "Files-physical"},
                            {"VersioningConfiguration", {{"Status", "Enabled"}}}}));
  EXPECT_EQ(steps[4],
            call("s3", "PutBucketCors",
                 json::parse(R"({"Bucket": "Files-physical", "CORSConfiguration": {"CORSRules": [
                             {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 30}]}})")));
  EXPECT_EQ(steps[5],
            call("s3", "PutBucketLifecycleConfiguration",
                 json::parse(R"({"Bucket": "Files-physical", "LifecycleConfiguration": {"Rules": [
                             {"ID": "under tmp/", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1},
                              "Transitions": [{"Days": 0, "StorageClass": "GLACIER"}]}]}})")));
  EXPECT_EQ(steps[6], call("s3", "PutBucketWebsite",
                           json::parse(R"({"Bucket": "Files-physical", "WebsiteConfiguration": {
                             "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}})")));
  EXPECT_EQ(steps[7],
            call("s3", "PutBucketPolicy",
                 {{"Bucket", "Files-physical"},
                  {"Policy", R"({"Statement":[{"Resource":"arn:aws:s3:::Files-physical/*"}]})"}}));
  EXPECT_EQ(steps[8],
            call("dynamodb", "UpdateTimeToLive", json::parse(R"({"TableName": "Sessions-physical",
                             "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": true}})")));
  EXPECT_EQ(notes,
            std::vector<std::string>{
                "applied the settings of Files, FilesPolicy, Sessions through the APIs (6 calls): "
                "moto's CloudFormation ignores them"});
}

TEST(MotoHooks, AfterExecuteFailsWithTheUpdate) {
  Session session(HostFacts{});
  std::vector<json> steps;
  json refused = {{"error", {{"code", "ValidationError"}, {"message", "no"}, {"status", 400}}}};
  EXPECT_THROW(run(session, after_execute(session, "app", ThroughApi{}), {refused}, steps),
               AwsError);
}

json alarm_page(int from, int to, std::string token = "") {
  json page = {{"MetricAlarms", json::array()}};
  for (int i = from; i < to; ++i)
    page["MetricAlarms"].push_back({{"AlarmName", fmt::format("app-{}", i)}});
  if (!token.empty()) page["NextToken"] = token;
  return response(page);
}

TEST(MotoHooks, BeforeDestroyDeletesTheAlarms100AtATime) {
  Session session(HostFacts{});
  std::vector<json> steps;
  run(session, before_destroy(session, "app"),
      {alarm_page(0, 60, "next"), alarm_page(60, 150), response(json::object()),
       response(json::object())},
      steps);
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0], call("cloudwatch", "DescribeAlarms", {{"AlarmNamePrefix", "app-"}}));
  EXPECT_EQ(steps[1], call("cloudwatch", "DescribeAlarms",
                           {{"AlarmNamePrefix", "app-"}, {"NextToken", "next"}}));
  json first = steps[2]["params"]["AlarmNames"];
  json second = steps[3]["params"]["AlarmNames"];
  EXPECT_EQ(steps[2]["operation"], "DeleteAlarms");
  EXPECT_EQ(first.size(), 100u);
  EXPECT_EQ(first.front(), "app-0");
  EXPECT_EQ(second.size(), 50u);
  EXPECT_EQ(second.back(), "app-149");
}

TEST(MotoHooks, BeforeDestroyWithoutAlarmsDeletesNothing) {
  Session session(HostFacts{});
  std::vector<json> steps;
  run(session, before_destroy(session, "app"), {alarm_page(0, 0)}, steps);
  EXPECT_EQ(steps.size(), 1u);
}

}  // namespace
}  // namespace pareto::engine

namespace pareto::engine {
namespace {

// pareto dev runs the handlers: nothing is left that would have moto invoke one, and the taps
// take their place, the bus's in the root stack only.
TEST(MotoAdapt, ForDevTheTapsReplaceWhatWouldInvokeAFunction) {
  const ordered_json templ = {
      {"Resources",
       {{"Worker", resource("AWS::Lambda::Function")},
        {"Jobs", resource("AWS::SQS::Queue")},
        {"Alerts", resource("AWS::SNS::Topic")},
        {"Mapping", resource("AWS::Lambda::EventSourceMapping",
                             {{"EventSourceArn", {{"Fn::GetAtt", {"Jobs", "Arn"}}}},
                              {"FunctionName", {{"Ref", "Worker"}}}})},
        {"Subscription", resource("AWS::SNS::Subscription",
                                  {{"Protocol", "lambda"}, {"TopicArn", {{"Ref", "Alerts"}}},
                                   {"Endpoint", {{"Fn::GetAtt", {"Worker", "Arn"}}}}})},
        {"Rule", resource("AWS::Events::Rule",
                          {{"EventPattern", {{"source", {"app"}}}},
                           {"Targets", {{{"Id", "action"}, {"Arn", {{"Fn::GetAtt", {"Worker", "Arn"}}}}},
                                        {{"Id", "queue"}, {"Arn", {{"Fn::GetAtt", {"Jobs", "Arn"}}}}}}}})}}}};
  Adapted root = adapt_for_moto(templ, Firing::pareto_root);
  const ordered_json& resources = root.templ["Resources"];
  EXPECT_FALSE(resources.contains("Mapping"));
  EXPECT_FALSE(resources.contains("Subscription"));
  EXPECT_EQ(resources["Rule"]["Properties"]["Targets"].size(), 1U);
  EXPECT_EQ(resources["Rule"]["Properties"]["Targets"][0]["Id"], "queue");
  EXPECT_EQ(resources["ParetoDevEventsRule1"]["Properties"]["Targets"][0]["Arn"],
            ordered_json({{"Fn::GetAtt", {"ParetoDevEventsQueue", "Arn"}}}));
  EXPECT_EQ(resources["ParetoDevTopicsSubscription1"]["Properties"]["TopicArn"],
            ordered_json({{"Ref", "Alerts"}}));
  EXPECT_EQ(resources["ParetoDevTopicsSubscription1"]["Properties"]["Protocol"], "sqs");
  EXPECT_TRUE(std::any_of(root.changes.begin(), root.changes.end(), [](const std::string& c) {
    return c == "dropped Mapping (AWS::Lambda::EventSourceMapping): pareto dev fires it";
  }));

  const ordered_json nested = adapt_for_moto(templ, Firing::pareto_nested).templ["Resources"];
  EXPECT_FALSE(nested.contains("ParetoDevEventsQueue"));
  EXPECT_FALSE(nested.contains("ParetoDevEventsRule1"));
  EXPECT_TRUE(nested.contains("ParetoDevTopicsQueue"));

  const ordered_json kept = adapt_for_moto(templ).templ["Resources"];  // deploy --local
  EXPECT_TRUE(kept.contains("Mapping"));
  EXPECT_EQ(kept["Rule"]["Properties"]["Targets"].size(), 2U);
}

}  // namespace
}  // namespace pareto::engine
