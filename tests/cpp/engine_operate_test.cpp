// The operating commands as flows: each test scripts the AWS answers a host would give, step by
// step, and reads what the command wrote and its exit status.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/base64.hpp"
#include "engine/command.hpp"
#include "engine/flow.hpp"
#include "scripted_flow.hpp"

namespace pareto::engine {
namespace {

using testing_support::Exchange;
using testing_support::fails;
using testing_support::kNotDone;
using testing_support::kNow;
using testing_support::ok;
using testing_support::Outcome;
using OperateTest = testing_support::ScriptedFlow;

const json kStack = {{"StackName", "hello-dev"}, {"StackStatus", "CREATE_COMPLETE"}};
const Exchange kStackThere = {"cloudformation", "DescribeStacks", {{"StackName", "hello-dev"}},
                              ok({{"Stacks", {kStack}}})};

// --- stacks, resources, events ------------------------------------------------------------------

TEST_F(OperateTest, StacksListsTheAppsStacksOfEveryStageAcrossPages) {
  script = {
      {"cloudformation", "DescribeStacks", {{"NextToken", nullptr}},
       ok({{"Stacks",
            {{{"StackName", "hello-prod"}, {"StackStatus", "UPDATE_COMPLETE"},
              {"CreationTime", "2026-11-01T08:00:00.000Z"},
              {"LastUpdatedTime", "2026-11-30T10:15:00.000Z"}},
             {{"StackName", "other-dev"}, {"StackStatus", "CREATE_COMPLETE"}},
             {{"StackName", "hello-dev-Stack01-X1"}, {"StackStatus", "CREATE_COMPLETE"}}}},
           {"NextToken", "page2"}})},
      {"cloudformation", "DescribeStacks", {{"NextToken", "page2"}},
       ok({{"Stacks", {{{"StackName", "hello-dev"}, {"StackStatus", "CREATE_COMPLETE"},
                        {"CreationTime", "2026-12-01T09:00:00.000Z"}}}}})}};
  Outcome outcome = run(stacks_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "stacks of hello\n"
            "stack       status           updated\n"
            "hello-dev   CREATE_COMPLETE  2026-12-01 09:00:00\n"
            "hello-prod  UPDATE_COMPLETE  2026-11-30 10:15:00\n");
  EXPECT_EQ(outcome.err, "");
}

TEST_F(OperateTest, StacksStopsWhenTheAppHasNone) {
  script = {{"cloudformation", "DescribeStacks", json::object(),
             ok({{"Stacks", {{{"StackName", "other-dev"}}}}})}};
  Outcome outcome = run(stacks_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "pareto: hello has no stacks here\n");
}

TEST_F(OperateTest, ResourcesListsNestedStacksUnderTheirLogicalId) {
  std::string nested = "arn:aws:cloudformation:eu-west-1:1:stack/hello-dev-Stack01-X1/abc";
  script = {
      kStackThere,
      {"cloudformation", "ListStackResources", {{"StackName", "hello-dev"}},
       ok({{"StackResourceSummaries",
            {{{"LogicalResourceId", "UsersTable"}, {"ResourceType", "AWS::DynamoDB::Table"},
              {"PhysicalResourceId", "hello-dev-users"}, {"ResourceStatus", "CREATE_COMPLETE"}},
             {{"LogicalResourceId", "Stack01"}, {"ResourceType", "AWS::CloudFormation::Stack"},
              {"PhysicalResourceId", nested}, {"ResourceStatus", "CREATE_COMPLETE"}}}}})},
      {"cloudformation", "ListStackResources", {{"StackName", nested}},
       ok({{"StackResourceSummaries",
            {{{"LogicalResourceId", "WorkerFunction"}, {"ResourceType", "AWS::Lambda::Function"},
              {"PhysicalResourceId", "hello-dev-worker"},
              {"ResourceStatus", "CREATE_COMPLETE"}}}}})}};
  Outcome outcome = run(resources_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "resources of hello-dev\n"
            "stack    logical id      type                        physical id"
            "                                                        status\n"
            "         UsersTable      AWS::DynamoDB::Table        hello-dev-users"
            "                                                    CREATE_COMPLETE\n"
            "         Stack01         AWS::CloudFormation::Stack  " + nested +
            "  CREATE_COMPLETE\n"
            "Stack01  WorkerFunction  AWS::Lambda::Function       hello-dev-worker"
            "                                                   CREATE_COMPLETE\n");
}

TEST_F(OperateTest, ResourcesStopsWithoutTheStack) {
  script = {{"cloudformation", "DescribeStacks", {{"StackName", "hello-dev"}},
             fails("ValidationError", "Stack with id hello-dev does not exist")}};
  Outcome outcome = run(resources_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err, "pareto: there is no stack hello-dev\n");
}

json event(std::string stack, std::string id, std::string status, std::string reason = "") {
  json out = {{"StackName", stack}, {"LogicalResourceId", id}, {"ResourceType", "AWS::X::Y"},
              {"ResourceStatus", status},
              {"Timestamp", "2026-12-01T09:00:0" + id.substr(1) + ".5Z"}};
  if (!reason.empty()) out["ResourceStatusReason"] = reason;
  return out;
}

TEST_F(OperateTest, EventsFailedAreOldestFirstWithNestedStacksAfterTheirParent) {
  options.failed = true;
  script = {
      kStackThere,
      {"cloudformation", "DescribeStackEvents", {{"StackName", "hello-dev"}},
       ok({{"StackEvents",
            {event("hello-dev", "E3", "UPDATE_FAILED", "later"),
             event("hello-dev", "E2", "CREATE_COMPLETE"),
             event("hello-dev", "E1", "CREATE_FAILED", "first")}}})},
      {"cloudformation", "ListStackResources", {{"StackName", "hello-dev"}},
       ok({{"StackResourceSummaries",
            {{{"LogicalResourceId", "Stack01"}, {"ResourceType", "AWS::CloudFormation::Stack"},
              {"PhysicalResourceId", "nested"}, {"ResourceStatus", "CREATE_FAILED"}}}}})},
      {"cloudformation", "DescribeStacks", {{"StackName", "nested"}},
       ok({{"Stacks", {{{"StackName", "nested"}}}}})},
      {"cloudformation", "DescribeStackEvents", {{"StackName", "nested"}},
       ok({{"StackEvents", {event("nested", "E4", "CREATE_FAILED", "why")}}})},
      {"cloudformation", "ListStackResources", {{"StackName", "nested"}},
       ok({{"StackResourceSummaries", json::array()}})}};
  Outcome outcome = run(events_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "failures of hello-dev\n"
            "time                 stack      logical id  type       status         reason\n"
            "2026-12-01 09:00:01  hello-dev  E1          AWS::X::Y  CREATE_FAILED  first\n"
            "2026-12-01 09:00:03  hello-dev  E3          AWS::X::Y  UPDATE_FAILED  later\n"
            "2026-12-01 09:00:04  nested     E4          AWS::X::Y  CREATE_FAILED  why\n");
}

TEST_F(OperateTest, EventsOfAStackWithoutNestedOnes) {
  script = {kStackThere,
            {"cloudformation", "DescribeStackEvents", {{"StackName", "hello-dev"}},
             ok({{"StackEvents", {event("hello-dev", "E2", "CREATE_COMPLETE"),
                                  event("hello-dev", "E1", "CREATE_IN_PROGRESS")}}})},
            {"cloudformation", "ListStackResources", {{"StackName", "hello-dev"}},
             ok({{"StackResourceSummaries", json::array()}})}};
  Outcome outcome = run(events_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "events of hello-dev\n"
            "time                 stack      logical id  type       status              reason\n"
            "2026-12-01 09:00:01  hello-dev  E1          AWS::X::Y  CREATE_IN_PROGRESS\n"
            "2026-12-01 09:00:02  hello-dev  E2          AWS::X::Y  CREATE_COMPLETE\n");
}

// --- logs ---------------------------------------------------------------------------------------

json log_event(int64_t timestamp, std::string message, std::string id) {
  return {{"timestamp", timestamp}, {"message", message}, {"eventId", id},
          {"logStreamName", "s"}};
}

TEST_F(OperateTest, LogsAreNewestLastAcrossPagesAndStreams) {
  options.action = "worker";
  options.since = "2h";
  options.filter = "ERROR";
  int64_t start = kNow - 2 * 3'600'000;
  script = {
      kStackThere,
      {"logs", "FilterLogEvents",
       {{"logGroupName", "/aws/lambda/hello-dev-worker"}, {"startTime", start},
        {"filterPattern", "ERROR"}, {"nextToken", nullptr}},
       ok({{"events",
            {log_event(kNow - 3000, "done\n", "3"), log_event(kNow - 5000, "START", "1")}},
           {"nextToken", "more"}})},
      {"logs", "FilterLogEvents", {{"startTime", start}, {"nextToken", "more"}},
       ok({{"events", {log_event(kNow - 4000, "[ERROR] boom  \n", "2")}}})}};
  Outcome outcome = run(logs_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "2026-12-01 09:29:55 START\n"
            "2026-12-01 09:29:56 [ERROR] boom\n"
            "2026-12-01 09:29:57 done\n");
  EXPECT_EQ(outcome.err, "");
}

TEST_F(OperateTest, LogsSinceTakesADurationBeforeNow) {
  options.action = "worker";
  for (auto [since, back] : std::vector<std::pair<std::string, int64_t>>{
           {"30s", 30'000}, {"10m", 600'000}, {"1d", 86'400'000}, {"007h", 7 * 3'600'000}}) {
    options.since = since;
    script = {kStackThere,
              {"logs", "FilterLogEvents", {{"startTime", kNow - back}},
               ok({{"events", json::array()}})}};
    Outcome outcome = run(logs_command);
    EXPECT_EQ(outcome.exit, 0) << since;
    EXPECT_EQ(outcome.err, "no log events of hello-dev-worker since " + since + " ago\n");
  }
  options.since = "999999999d";  // before the epoch: from the epoch
  script = {kStackThere,
            {"logs", "FilterLogEvents", {{"startTime", 0}}, ok({{"events", json::array()}})}};
  EXPECT_EQ(run(logs_command).exit, 0);
}

TEST_F(OperateTest, LogsSinceRefusesWhatIsNotADuration) {
  options.action = "worker";
  script = {};  // refused before any call
  for (std::string since :
       {"soon", "10", "m", "-5m", "+5m", "5w", "", "1.5h", "99999999999999999999s"}) {
    options.since = since;
    Outcome outcome = run(logs_command);
    EXPECT_EQ(outcome.exit, kExitUsage) << since;
    EXPECT_EQ(outcome.err, "pareto: --since: a duration like 30s, 10m, 2h or 1d, not '" + since +
                               "'\n");
  }
}

TEST_F(OperateTest, LogsStopWithoutTheActionTheStackOrTheLogGroup) {
  options.action = "nobody";
  Outcome outcome = run(logs_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err,
            "pareto: the app has no action 'nobody' (actions: hello-get, hello-post, worker, "
            "ticker)\n");

  options.action = "worker";
  script = {{"cloudformation", "DescribeStacks", {{"StackName", "hello-dev"}},
             fails("ValidationError", "Stack with id hello-dev does not exist")}};
  EXPECT_EQ(run(logs_command).err, "pareto: there is no stack hello-dev\n");

  script = {kStackThere,
            {"logs", "FilterLogEvents", json::object(),
             fails("ResourceNotFoundException", "The specified log group does not exist.")}};
  outcome = run(logs_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err, "pareto: hello-dev-worker has no logs yet\n");
}

TEST_F(OperateTest, LogsFollowPollsFromTheNewestEventShowingEachOnce) {
  options.action = "worker";
  options.follow = true;
  script = {
      kStackThere,
      {"logs", "FilterLogEvents", {{"startTime", kNow - 600'000}},
       ok({{"events", {log_event(kNow - 1000, "one", "1")}}})},
      {"logs", "FilterLogEvents", {{"startTime", kNow - 1000}},
       ok({{"events", json::array()}})},
      {"logs", "FilterLogEvents", {{"startTime", kNow - 1000}},
       ok({{"events", {log_event(kNow - 1000, "one", "1"), log_event(kNow + 3000, "two", "2")}}})}};
  Outcome outcome = run(logs_command);
  EXPECT_EQ(outcome.exit, kNotDone);  // it polls until the host ends the flow
  EXPECT_EQ(outcome.waits, (std::vector<int64_t>{2000, 2000, 2000}));
  EXPECT_EQ(outcome.out, "2026-12-01 09:29:59 one\n2026-12-01 09:30:03 two\n");
  EXPECT_EQ(outcome.err, "");
}

// --- invoke -------------------------------------------------------------------------------------

Exchange invoked(std::string payload, json answer) {
  return {"lambda", "Invoke",
          {{"FunctionName", "hello-dev-worker"},
           {"Payload", {{"$bytes", base64_encode(payload)}}},
           {"LogType", "Tail"}},
          ok(std::move(answer))};
}

TEST_F(OperateTest, InvokePrintsTheResultAndTheLogTail) {
  options.action = "worker";
  options.payload = R"({"jobs": 1})";
  script = {kStackThere,
            invoked(R"({"jobs": 1})", {{"StatusCode", 200},
                                      {"Payload", base64_encode(R"({"ok": true})")},
                                      {"LogResult", base64_encode("START\nEND\n\n")}})};
  Outcome outcome = run(invoke_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out, "{\"ok\": true}\n");
  EXPECT_EQ(outcome.err, "START\nEND\n");
}

TEST_F(OperateTest, InvokeFailsWhenTheFunctionDid) {
  options.action = "ticker";
  std::string tail = "[ERROR] boom\n";
  script = {kStackThere,
            {"lambda", "Invoke", {{"FunctionName", "hello-dev-ticker"}},
             ok({{"StatusCode", 200},
                 {"FunctionError", "Unhandled"},
                 {"Payload", base64_encode("{\"errorMessage\": \"bad \xff byte\"}")},
                 {"LogResult", base64_encode(tail)}})}};
  Outcome outcome = run(invoke_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.out, "{\"errorMessage\": \"bad \xEF\xBF\xBD byte\"}\n");
  EXPECT_EQ(outcome.err, "[ERROR] boom\nhello-dev-ticker failed (Unhandled)\n");
}

TEST_F(OperateTest, InvokeReadsThePayloadFromAFile) {
  auto path = std::filesystem::temp_directory_path() / "pareto-operate-event.json";
  std::ofstream(path) << "{\"from\": \"file\"}\n";
  options.action = "worker";
  options.payload = "@" + path.string();
  script = {kStackThere, invoked("{\"from\": \"file\"}\n", {{"Payload", base64_encode("null")}})};
  Outcome outcome = run(invoke_command);
  std::filesystem::remove(path);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out, "null\n");
}

TEST_F(OperateTest, InvokeRefusesAPayloadThatIsNotJsonBeforeAnyCall) {
  options.action = "worker";
  options.payload = "{not json";
  Outcome outcome = run(invoke_command);
  EXPECT_EQ(outcome.exit, kExitUsage);
  EXPECT_TRUE(outcome.err.starts_with("pareto: --payload is not JSON: parse error at line 1, "
                                      "column 3: syntax error while parsing object key"))
      << outcome.err;

  options.payload = "@/no/such/file";
  outcome = run(invoke_command);
  EXPECT_EQ(outcome.exit, kExitUsage);
  EXPECT_EQ(outcome.err, "pareto: --payload @/no/such/file: cannot be read\n");

  options.action = "nobody";
  options.payload = "{}";
  EXPECT_EQ(run(invoke_command).exit, kExitFailed);
}

// --- users --------------------------------------------------------------------------------------

const Exchange kPoolThere = {
    "cognito-idp", "ListUserPools", {{"MaxResults", 60}},
    ok({{"UserPools", {{{"Id", "eu-west-1_staff"}, {"Name", "hello-dev-staff"}}}}})};

TEST_F(OperateTest, UsersListFindsThePoolAndTheUsersAcrossPages) {
  options.operation = "list";
  options.pool = "staff";
  script = {
      {"cognito-idp", "ListUserPools", {{"MaxResults", 60}, {"NextToken", nullptr}},
       ok({{"UserPools", {{{"Id", "eu-west-1_other"}, {"Name", "hello-dev-other"}}}},
           {"NextToken", "pools2"}})},
      {"cognito-idp", "ListUserPools", {{"MaxResults", 60}, {"NextToken", "pools2"}},
       ok({{"UserPools", {{{"Id", "eu-west-1_staff"}, {"Name", "hello-dev-staff"}}}}})},
      {"cognito-idp", "ListUsers",
       {{"UserPoolId", "eu-west-1_staff"}, {"PaginationToken", nullptr}},
       ok({{"Users",
            {{{"Username", "ada"}, {"UserStatus", "CONFIRMED"},
              {"UserCreateDate", "2026-11-30T12:00:00.000Z"},
              {"Attributes", {{{"Name", "sub"}, {"Value", "x-1"}},
                              {{"Name", "email"}, {"Value", "ada@example.com"}},
                              {{"Name", "name"}, {"Value", "Ada"}}}}}}},
           {"PaginationToken", "users2"}})},
      {"cognito-idp", "ListUsers",
       {{"UserPoolId", "eu-west-1_staff"}, {"PaginationToken", "users2"}},
       ok({{"Users", {{{"Username", "bob"}, {"UserStatus", "FORCE_CHANGE_PASSWORD"},
                       {"UserCreateDate", "2026-12-01T08:00:00.000Z"}}}}})}};
  Outcome outcome = run(users_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "users of hello-dev-staff\n"
            "user  status                 attributes                       created\n"
            "ada   CONFIRMED              email=ada@example.com, name=Ada  2026-11-30 12:00:00\n"
            "bob   FORCE_CHANGE_PASSWORD                                   2026-12-01 08:00:00\n");
}

TEST_F(OperateTest, UsersStopWithoutThePool) {
  options.operation = "list";
  options.pool = "nobody";
  script = {{"cognito-idp", "ListUserPools", json::object(), ok({{"UserPools", json::array()}})}};
  Outcome outcome = run(users_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err, "pareto: there is no user pool hello-dev-nobody\n");
}

TEST_F(OperateTest, UsersCreateAConfirmedUser) {
  options.operation = "create";
  options.pool = "staff";
  options.user = "ada";
  options.password = "Secret-123!";
  options.attributes = {{"email", "ada@example.com"}};
  script = {kPoolThere,
            {"cognito-idp", "AdminCreateUser",
             {{"UserPoolId", "eu-west-1_staff"},
              {"Username", "ada"},
              {"MessageAction", "SUPPRESS"},
              {"UserAttributes", {{{"Name", "email"}, {"Value", "ada@example.com"}}}}},
             ok({{"User", {{"Username", "ada"}}}})},
            {"cognito-idp", "AdminSetUserPassword",
             {{"UserPoolId", "eu-west-1_staff"},
              {"Username", "ada"},
              {"Password", "Secret-123!"},
              {"Permanent", true}},
             ok(json::object())}};
  Outcome outcome = run(users_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "created ada in hello-dev-staff\n");
}

TEST_F(OperateTest, UsersPasswordComesFromTheEnvironmentElseIsAskedOnATerminal) {
  options.operation = "create";
  options.pool = "staff";
  options.user = "ada";
  auto created = [&](std::string password) {
    return std::vector<Exchange>{
        kPoolThere,
        {"cognito-idp", "AdminCreateUser", {{"UserAttributes", json::array()}}, ok({})},
        {"cognito-idp", "AdminSetUserPassword", {{"Password", password}}, ok({})}};
  };
  setenv("PARETO_PASSWORD", "From-Env-1!", 1);
  script = created("From-Env-1!");
  EXPECT_EQ(run(users_command).exit, 0);
  unsetenv("PARETO_PASSWORD");

  script = {kPoolThere};
  Outcome outcome = run(users_command);
  EXPECT_EQ(outcome.exit, kExitUsage);
  EXPECT_EQ(outcome.err, "pareto: give --password (or PARETO_PASSWORD)\n");

  facts.interactive = true;
  reply = "Typed-1!";
  script = created("Typed-1!");
  outcome = run(users_command);
  EXPECT_EQ(outcome.exit, 0);
  ASSERT_EQ(outcome.questions.size(), 1u);
  EXPECT_EQ(outcome.questions[0]["question"], "password: ");
  EXPECT_EQ(outcome.questions[0]["secret"], true);
}

TEST_F(OperateTest, UsersLoginPrintsTheTokensThroughTheAdminClient) {
  options.operation = "login";
  options.pool = "staff";
  options.user = "ada";
  options.password = "Secret-123!";
  script = {kPoolThere,
            {"cognito-idp", "ListUserPoolClients",
             {{"UserPoolId", "eu-west-1_staff"}, {"MaxResults", 60}},
             ok({{"UserPoolClients",
                  {{{"ClientName", "hello-dev-staff-web"}, {"ClientId", "web"}},
                   {{"ClientName", "hello-dev-staff-admin"}, {"ClientId", "admin"}}}}})},
            {"cognito-idp", "AdminInitiateAuth",
             {{"UserPoolId", "eu-west-1_staff"},
              {"ClientId", "admin"},
              {"AuthFlow", "ADMIN_USER_PASSWORD_AUTH"},
              {"AuthParameters", {{"USERNAME", "ada"}, {"PASSWORD", "Secret-123!"}}}},
             ok({{"ChallengeParameters", json::object()},
                 {"AuthenticationResult",
                  {{"IdToken", "id"}, {"AccessToken", "access"}, {"ExpiresIn", 3600}}}})}};
  Outcome outcome = run(users_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "{\n"
            "  \"AccessToken\": \"access\",\n"
            "  \"ExpiresIn\": 3600,\n"
            "  \"IdToken\": \"id\"\n"
            "}\n");
}

TEST_F(OperateTest, UsersLoginStopsWithoutTheAdminClientOrOnAChallenge) {
  options.operation = "login";
  options.pool = "staff";
  options.user = "ada";
  options.password = "x";
  script = {kPoolThere, {"cognito-idp", "ListUserPoolClients", json::object(),
                         ok({{"UserPoolClients", json::array()}})}};
  EXPECT_EQ(run(users_command).err,
            "pareto: user pool hello-dev-staff has no client hello-dev-staff-admin\n");

  script = {kPoolThere,
            {"cognito-idp", "ListUserPoolClients", json::object(),
             ok({{"UserPoolClients",
                  {{{"ClientName", "hello-dev-staff-admin"}, {"ClientId", "a"}}}}})},
            {"cognito-idp", "AdminInitiateAuth", json::object(),
             ok({{"ChallengeName", "NEW_PASSWORD_REQUIRED"}, {"Session", "s"}})}};
  Outcome outcome = run(users_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err, "pareto: ada cannot log in yet: Cognito asks for NEW_PASSWORD_REQUIRED\n");
}

TEST_F(OperateTest, UsersDelete) {
  options.operation = "delete";
  options.pool = "staff";
  options.user = "ada";
  Exchange deleted = {"cognito-idp", "AdminDeleteUser",
                      {{"UserPoolId", "eu-west-1_staff"}, {"Username", "ada"}}, ok({})};
  script = {kPoolThere, deleted};
  Outcome outcome = run(users_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.err, "deleted ada from hello-dev-staff\n");

  deleted.answer = fails("UserNotFoundException", "User does not exist.");
  script = {kPoolThere, deleted};
  outcome = run(users_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err, "pareto: user pool hello-dev-staff has no user 'ada'\n");
}

TEST_F(OperateTest, UsersOtherThanListNeedAUserBeforeAnyCall) {
  options.pool = "staff";
  for (std::string operation : {"create", "delete", "login"}) {
    options.operation = operation;
    Outcome outcome = run(users_command);
    EXPECT_EQ(outcome.exit, kExitUsage);
    EXPECT_EQ(outcome.err, "pareto: users " + operation + " needs USER\n");
  }
}

// --- artifacts ----------------------------------------------------------------------------------

const std::string kBucket = "pareto-artifacts-123456789012-eu-west-1";

json object(std::string key, uint64_t size, std::string modified) {
  return {{"Key", "pareto/hello/" + key}, {"Size", size}, {"LastModified", modified}};
}

// The bucket, the app's objects (in two pages when `second` has any), and the deployed stacks.
std::vector<Exchange> listed(json first, json second, std::string in_use) {
  std::vector<Exchange> out = {
      {"sts", "GetCallerIdentity", json::object(), ok({{"Account", "123456789012"}})},
      {"s3", "HeadBucket", {{"Bucket", kBucket}}, ok({})}};
  json page = {{"Contents", first}};
  if (!second.empty()) page["NextContinuationToken"] = "c2";
  out.push_back({"s3", "ListObjectsV2",
                 {{"Bucket", kBucket}, {"Prefix", "pareto/hello/"}, {"ContinuationToken", nullptr}},
                 ok(page)});
  if (!second.empty())
    out.push_back(
        {"s3", "ListObjectsV2", {{"ContinuationToken", "c2"}}, ok({{"Contents", second}})});
  json stack = {{"StackName", "hello-dev"},
                {"Parameters", {{{"ParameterKey", "RuntimeVersion"}, {"ParameterValue", "3.13"}}}}};
  out.push_back({"cloudformation", "DescribeStacks", json::object(), ok({{"Stacks", {stack}}})});
  out.push_back({"cloudformation", "ListStackResources", {{"StackName", "hello-dev"}},
                 ok({{"StackResourceSummaries", json::array()}})});
  // The archive a function of the deployed template names, with the stack's parameter values.
  std::string named = in_use;
  if (size_t at = named.find("3.13"); at != std::string::npos) named.replace(at, 4, "${RuntimeVersion}");
  json templ = {{"Resources",
                 {{"F", {{"Type", "AWS::Lambda::Function"},
                         {"Properties", {{"Code", {{"S3Bucket", {{"Ref", "ArtifactsBucket"}}},
                                                   {"S3Key", {{"Fn::Sub", "pareto/hello/" + named}}}}}}}}}}}};
  out.push_back({"cloudformation", "GetTemplate", {{"StackName", "hello-dev"}},
                 ok({{"TemplateBody", templ.dump()}})});
  return out;
}

TEST_F(OperateTest, ArtifactsListIsNewestFirstAndMarksWhatIsInUse) {
  options.operation = "list";
  script = listed({object("a-python3.13.zip", 12, "2026-11-01T10:00:00.000Z"),
                   object("templates/t.json", 1234567, "2026-11-02T10:00:00.000Z")},
                  {object("b.zip", 999, "2026-11-03T10:00:00.000Z")}, "a-python3.13.zip");
  Outcome outcome = run(artifacts_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.out,
            "s3://" + kBucket + "\n"
            "key                                bytes  modified\n"
            "pareto/hello/b.zip                   999  2026-11-03 10:00:00\n"
            "pareto/hello/templates/t.json  1,234,567  2026-11-02 10:00:00\n"
            "pareto/hello/a-python3.13.zip         12  2026-11-01 10:00:00  in use\n");
}

TEST_F(OperateTest, ArtifactsStopWithoutTheBucket) {
  options.operation = "list";
  script = {{"sts", "GetCallerIdentity", json::object(), ok({{"Account", "123456789012"}})},
            {"s3", "HeadBucket", {{"Bucket", kBucket}}, fails("404", "Not Found", 404)}};
  Outcome outcome = run(artifacts_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err, "pareto: there is no artifacts bucket " + kBucket + "\n");
}

TEST_F(OperateTest, ArtifactsFetchWritesTheBytesToTheFile) {
  auto path = std::filesystem::temp_directory_path() / "pareto-operate-code.zip";
  std::string bytes("PK\x03\x04\0\xff\n", 7);
  options.operation = "fetch";
  options.key = "pareto/hello/a.zip";
  options.output = path.string();
  script = listed({object("a.zip", 7, "2026-11-01T10:00:00.000Z")}, json::array(), "a.zip");
  script.push_back({"s3", "GetObject", {{"Bucket", kBucket}, {"Key", "pareto/hello/a.zip"}},
                    ok({{"Body", base64_encode(bytes)}, {"ContentLength", 7}})});
  Outcome outcome = run(artifacts_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.err, path.string() + ": fetched pareto/hello/a.zip\n");
  std::ifstream in(path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".partial"));
  std::filesystem::remove(path);
}

TEST_F(OperateTest, ArtifactsFetchStopsWithoutAKeyOrAnArtifactOfTheApp) {
  options.operation = "fetch";
  Outcome outcome = run(artifacts_command);
  EXPECT_EQ(outcome.exit, kExitUsage);
  EXPECT_EQ(outcome.err, "pareto: artifacts fetch needs KEY\n");

  options.key = "pareto/hello/none.zip";
  script = listed({object("a.zip", 7, "2026-11-01T10:00:00.000Z")}, json::array(), "a.zip");
  outcome = run(artifacts_command);
  EXPECT_EQ(outcome.exit, kExitFailed);
  EXPECT_EQ(outcome.err,
            "pareto: s3://" + kBucket + " has no artifact pareto/hello/none.zip of hello\n");
}

TEST_F(OperateTest, ArtifactsCleanKeepsWhatIsInUseAndTheNewestOfEachFolder) {
  options.operation = "clean";
  options.keep = 1;
  script = listed({object("z3.zip", 1, "2026-11-03T00:00:00.000Z"),
                   object("z2.zip", 1, "2026-11-02T00:00:00.000Z"),
                   object("z1.zip", 1, "2026-11-01T00:00:00.000Z"),
                   object("templates/t1.json", 1, "2026-11-01T00:00:00.000Z"),
                   object("templates/t2.json", 1, "2026-11-02T00:00:00.000Z")},
                  json::array(), "z2.zip");
  script.push_back({"s3", "DeleteObjects",
                    {{"Bucket", kBucket},
                     {"Delete", {{"Objects", {{{"Key", "pareto/hello/z1.zip"}},
                                              {{"Key", "pareto/hello/templates/t1.json"}}}}}}},
                    ok({{"Deleted", json::array()}})});
  Outcome outcome = run(artifacts_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_EQ(outcome.err,
            "deleted pareto/hello/z1.zip\n"
            "deleted pareto/hello/templates/t1.json\n"
            "deleted 2 artifacts; kept those in use and the newest 1\n");
}

TEST_F(OperateTest, ArtifactsCleanDeletesAThousandKeysACall) {
  options.operation = "clean";
  options.keep = 0;
  json objects = json::array(), first = json::array(), second = json::array();
  for (int i = 0; i < 1002; ++i) {
    int second_of_day = 1001 - i;  // newest first
    std::string key = fmt::format("{:04}.zip", second_of_day);
    objects.push_back(object(key, 1, fmt::format("2026-11-01T00:{:02}:{:02}.000Z",
                                                 second_of_day / 60, second_of_day % 60)));
    (i < 1000 ? first : second).push_back(json{{"Key", "pareto/hello/" + key}});
  }
  script = listed(objects, json::array(), "none");
  script.push_back({"s3", "DeleteObjects", {{"Delete", {{"Objects", first}}}}, ok({})});
  script.push_back({"s3", "DeleteObjects", {{"Delete", {{"Objects", second}}}}, ok({})});
  Outcome outcome = run(artifacts_command);
  EXPECT_EQ(outcome.exit, 0);
  EXPECT_TRUE(
      outcome.err.ends_with("deleted 1002 artifacts; kept those in use and the newest 0\n"));
}

// --- base64 -------------------------------------------------------------------------------------

TEST(Base64, Rfc4648Vectors) {
  std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [bytes, text] : vectors) {
    EXPECT_EQ(base64_encode(bytes), text);
    EXPECT_EQ(base64_decode(text), bytes);
  }
  EXPECT_EQ(base64_decode("Zm9vYg"), "foob");  // padding is optional
  EXPECT_THROW(base64_decode("Zm9v!"), std::invalid_argument);
}

TEST(Base64, EveryByteRoundTrips) {
  std::string bytes;
  for (int byte = 0; byte < 256; ++byte) bytes += static_cast<char>(byte);
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

}  // namespace
}  // namespace pareto::engine
