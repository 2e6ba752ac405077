// tables: keys and indexes, and streaming through the router.
#include <gtest/gtest.h>

#include "component_fixture.hpp"

namespace pareto::testing_support {

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

TEST_F(Component, TableIsOnDemandWithKeysAndIndexes) {
  json t = synth("app: x\ntables: [{name: users, indexes: [{name: email, type: S}]}]\n");
  const json& props = t["Resources"]["UsersTable"]["Properties"];
  EXPECT_EQ(props["BillingMode"], "PAY_PER_REQUEST");
  EXPECT_EQ(props["GlobalSecondaryIndexes"].size(), 1u);
  EXPECT_EQ(props["KeySchema"][0]["KeyType"], "HASH");
}

}  // namespace pareto::testing_support
