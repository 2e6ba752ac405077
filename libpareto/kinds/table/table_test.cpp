// tables: keys and indexes, time to live, and streaming through the router.
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

TEST_F(Component, TableKeysAreNamedAndTyped) {
  json t = synth(
      "app: x\ntables:\n  - {name: a}\n  - {name: b, key: {partition: {name: id, type: N}, sort: "
      "false}}\n"
      "  - {name: c, key: {sort: {name: at, type: N}}, indexes: [{name: at2, type: N}], ttl: "
      "at2}\n");
  const json& r = t["Resources"];
  auto key = [&](const char* table) {
    std::vector<std::string> out;
    for (const auto& k : r[table]["Properties"]["KeySchema"])
      out.push_back(k["AttributeName"].get<std::string>() + " " + k["KeyType"].get<std::string>());
    return out;
  };
  EXPECT_EQ(key("ATable"),
            (std::vector<std::string>{"pk HASH", "sk RANGE"}));  // the defaults, unchanged
  EXPECT_EQ(key("BTable"), (std::vector<std::string>{"id HASH"}));
  EXPECT_EQ(r["BTable"]["Properties"]["AttributeDefinitions"],
            json::parse(R"([{"AttributeName": "id", "AttributeType": "N"}])"));
  EXPECT_EQ(key("CTable"), (std::vector<std::string>{"pk HASH", "at RANGE"}));
  EXPECT_EQ(r["CTable"]["Properties"]["TimeToLiveSpecification"],
            json::parse(R"({"AttributeName": "at2", "Enabled": true})"));
  EXPECT_FALSE(r["ATable"]["Properties"].contains("TimeToLiveSpecification"));
}

TEST_F(Component, TableKeyProblemsAreReportedWhereWritten) {
  Synthesis bad = synthesize(
      "app: x\ntables:\n  - {name: a, key: {partition: id, sort: id}, indexes: [{name: id}]}\n"
      "  - {name: b, key: {sort: true}, ttl: pk}\n  - {name: c, ttl: \"bad name\"}\n",
      {.source_name = "pareto.yaml", .base_dir = dir_});
  std::vector<std::string> paths;
  for (const auto& e : bad.errors) paths.push_back(e.path + " " + e.check);
  EXPECT_EQ(paths, (std::vector<std::string>{"/tables/2/ttl E2005"}))
      << "the schema's errors come alone";
  bad = synthesize(
      "app: x\ntables:\n  - {name: a, key: {partition: id, sort: id}, indexes: [{name: id}]}\n"
      "  - {name: b, key: {sort: true}, ttl: pk}\n",
      {.source_name = "pareto.yaml", .base_dir = dir_});
  paths.clear();
  for (const auto& e : bad.errors) paths.push_back(e.path + " " + e.check);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"/tables/0/key/sort E3002", "/tables/0/indexes/0/name E3002",
                                      "/tables/1/key/sort E3008", "/tables/1/ttl E3008"}));
}

}  // namespace pareto::testing_support
