#include "render/iam.hpp"

#include <map>

#include "names.hpp"

namespace pareto {
using nlohmann::json;

json Statement::to_json() const {
  json resource = resources.empty() ? json("*") : json(resources);
  return {{"Sid", sid}, {"Effect", "Allow"}, {"Action", actions}, {"Resource", resource}};
}

std::vector<Statement> merge_grants(const std::vector<Grant>& grants) {
  // (service, resources) → statement; resources compared by their JSON text.
  std::map<std::pair<std::string, std::string>, Statement> merged;
  for (const auto& grant : grants) {
    std::vector<json> resources = grant.resources;
    std::sort(resources.begin(), resources.end(),
              [](const json& a, const json& b) { return a.dump() < b.dump(); });
    resources.erase(std::unique(resources.begin(), resources.end()), resources.end());
    for (const auto& action : grant.actions) {
      std::string service = action.substr(0, action.find(':'));
      Statement& s = merged[{service, json(resources).dump()}];
      s.sid = service;
      s.actions.insert(action);
      s.resources = resources;
      s.origins.insert(grant.origin);
    }
  }
  std::vector<Statement> out;
  std::map<std::string, int> per_service;
  for (auto& [key, statement] : merged) {
    int n = ++per_service[key.first];
    statement.sid = pascal_case(key.first) + (n > 1 ? std::to_string(n) : "");
    out.push_back(std::move(statement));
  }
  return out;
}

namespace {
// A resolved ARN or name is at most this long in practice; intrinsics count as that much.
constexpr size_t kResolvedIntrinsic = 128;

size_t measure(const json& value) {
  if (value.is_object() && value.size() == 1 && value.begin().key().rfind("Fn::", 0) == 0)
    return kResolvedIntrinsic;
  if (value.is_object() && value.size() == 1 && value.begin().key() == "Ref")
    return kResolvedIntrinsic;
  if (!value.is_structured()) return value.dump().size();
  size_t size = 2;  // brackets
  for (const auto& [key, child] : value.items())
    size += (value.is_object() ? key.size() + 3 : 0) + measure(child) + 1;
  return size;
}
}  // namespace

size_t estimated_size(const json& policy_part) { return measure(policy_part); }

PolicyPlan plan_policies(const std::vector<Statement>& statements) {
  constexpr size_t kEnvelope = 64;  // {"Version":"2012-10-17","Statement":[...]} and the name
  PolicyPlan plan;
  size_t inline_size = kEnvelope, managed_size = 0;
  for (const auto& statement : statements) {
    json s = statement.to_json();
    size_t size = estimated_size(s) + 1;
    if (plan.managed.empty() && inline_size + size <= kInlinePolicyLimit) {
      plan.inline_statements.push_back(std::move(s));
      inline_size += size;
      continue;
    }
    if (plan.managed.empty() || managed_size + size > kManagedPolicyLimit) {
      plan.managed.emplace_back();
      managed_size = kEnvelope;
    }
    plan.managed.back().push_back(std::move(s));
    managed_size += size;
    if (managed_size > kManagedPolicyLimit) plan.fits = false;
  }
  if (plan.managed.size() > kManagedPoliciesPerRole) plan.fits = false;
  return plan;
}

json policy_document(std::vector<json> statements) {
  return {{"Version", "2012-10-17"}, {"Statement", std::move(statements)}};
}

}  // namespace pareto
