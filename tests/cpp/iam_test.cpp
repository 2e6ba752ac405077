#include <gtest/gtest.h>

#include "render/iam.hpp"

namespace pareto {
namespace {
using nlohmann::json;

TEST(Iam, MergesActionsOnTheSameResources) {
  json table = {{"Fn::GetAtt", {"UsersTable", "Arn"}}};
  auto statements = merge_grants({{{"dynamodb:GetItem"}, {table}, "/actions/0"},
                                  {{"dynamodb:PutItem", "dynamodb:GetItem"}, {table}, "/actions/1"},
                                  {{"sqs:SendMessage"}, {{{"Ref", "JobsQueue"}}}, "/queues/0"}});
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0].actions, (std::set<std::string>{"dynamodb:GetItem", "dynamodb:PutItem"}));
  EXPECT_EQ(statements[0].origins, (std::set<std::string>{"/actions/0", "/actions/1"}));
  EXPECT_NE(statements[0].sid, statements[1].sid);
  for (const auto& s : statements) EXPECT_FALSE(s.resources.empty());
}

TEST(Iam, StatementIdsAreAlphanumericAndUnique) {
  std::vector<Grant> grants;
  for (int i = 0; i < 5; ++i)
    grants.push_back({{"sqs:SendMessage"}, {{{"Ref", "Queue" + std::to_string(i)}}}, ""});
  std::set<std::string> sids;
  for (const auto& s : merge_grants(grants)) {
    EXPECT_TRUE(std::all_of(s.sid.begin(), s.sid.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
    sids.insert(s.sid);
  }
  EXPECT_EQ(sids.size(), 5u);
}

TEST(Iam, SpillsIntoManagedPoliciesPastTheInlineLimit) {
  std::vector<Grant> grants;
  for (int i = 0; i < 200; ++i)
    grants.push_back({{"s3:GetObject", "s3:PutObject"},
                      {{{"Fn::Sub", "arn:${AWS::Partition}:s3:::bucket-number-" + std::to_string(i) + "/*"}}},
                      ""});
  PolicyPlan plan = plan_policies(merge_grants(grants));
  EXPECT_TRUE(plan.fits);
  EXPECT_FALSE(plan.managed.empty());
  EXPECT_LE(estimated_size(json(plan.inline_statements)), kInlinePolicyLimit);
  for (const auto& policy : plan.managed) EXPECT_LE(estimated_size(json(policy)), kManagedPolicyLimit);
}

TEST(Iam, ReportsWhenEvenManagedPoliciesCannotHoldIt) {
  std::vector<Grant> grants;
  for (int i = 0; i < 3000; ++i)
    grants.push_back({{"s3:GetObject"},
                      {{{"Fn::Sub", "arn:${AWS::Partition}:s3:::a-rather-long-bucket-name-" + std::to_string(i) + "/*"}}},
                      ""});
  EXPECT_FALSE(plan_policies(merge_grants(grants)).fits);
}

}  // namespace
}  // namespace pareto
