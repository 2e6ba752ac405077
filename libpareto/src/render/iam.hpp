// IAM policies from grants: statements merged per service and resource set, sorted,
// de-duplicated, and split to fit IAM's size limits.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "components/kind.hpp"

namespace pareto {

struct Statement {
  std::string sid;  // alphanumeric, unique in the role: "Dynamodb", "Sqs2"
  std::set<std::string> actions;
  std::vector<nlohmann::json> resources;  // empty: "*"
  std::set<std::string> origins;           // config entries that required it

  nlohmann::json to_json() const;
};

std::vector<Statement> merge_grants(const std::vector<Grant>& grants);

// IAM's limits: a role's inline policies together, and each managed policy, measured without
// whitespace once CloudFormation has resolved the intrinsics (estimated generously).
inline constexpr size_t kInlinePolicyLimit = 10240;
inline constexpr size_t kManagedPolicyLimit = 6144;
inline constexpr size_t kManagedPoliciesPerRole = 10;

size_t estimated_size(const nlohmann::json& policy_part);

// Statements in order, packed first into the inline policy and then into managed policies.
struct PolicyPlan {
  std::vector<nlohmann::json> inline_statements;
  std::vector<std::vector<nlohmann::json>> managed;  // each one policy's statements
  bool fits = true;
};

PolicyPlan plan_policies(const std::vector<Statement>& statements);

nlohmann::json policy_document(std::vector<nlohmann::json> statements);

}  // namespace pareto
