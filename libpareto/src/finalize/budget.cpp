#include "finalize/budget.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "finalize/finalize.hpp"
#include "render/iam.hpp"
#include "render/table.hpp"
#include "names.hpp"
#include "render/template.hpp"

namespace pareto {
using nlohmann::json;

namespace {

constexpr size_t kTemplateBodyBytes = 51'200;  // a template passed inline, not through S3
constexpr size_t kResourcesPerApi = 300;       // API Gateway's default quota

// The component (config entry of two steps: "/actions/3") with the most of `entries`.
std::string biggest(const json& entries, const std::map<std::string, std::string>& origins) {
  std::map<std::string, size_t> count;
  for (const auto& [id, _] : entries.items()) {
    count[std::string(entry_pointer(origin_in(origins, id)))]++;
  }
  auto most = std::max_element(count.begin(), count.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  return most == count.end() ? std::string() : most->first;
}

void stack_uses(const std::string& name, const std::string& text, bool inline_body,
                const std::map<std::string, std::string>& origins, std::vector<QuotaUse>& out) {
  json t = json::parse(text);
  size_t minified = t.dump().size();
  if (inline_body) out.push_back({"template bytes, inline", name, minified, kTemplateBodyBytes, ""});
  out.push_back({"template bytes, through S3", name, minified, kMaxTemplateBytes, ""});
  const json none = json::object();
  const json& resources = t["Resources"];
  const json& parameters = t.contains("Parameters") ? t["Parameters"] : none;
  const json& outputs = t.contains("Outputs") ? t["Outputs"] : none;
  out.push_back({"resources per stack", name, resources.size(), kMaxResources, biggest(resources, origins)});
  out.push_back({"parameters per stack", name, parameters.size(), kMaxParameters, ""});
  out.push_back({"outputs per stack", name, outputs.size(), kMaxOutputs, biggest(outputs, origins)});

  std::map<std::string, size_t> permissions, api_resources;
  for (const auto& [id, resource] : resources.items()) {
    const std::string type = resource.value("Type", "");
    const json& properties = resource.contains("Properties") ? resource["Properties"] : none;
    std::string origin = origin_in(origins, id);
    if (type == "AWS::IAM::Role") {
      size_t size = 0;
      for (const auto& policy : properties.value("Policies", json::array()))
        size += estimated_size(policy["PolicyDocument"]);
      out.push_back({"role inline policy characters", id, size, kInlinePolicyLimit, origin});
    } else if (type == "AWS::IAM::ManagedPolicy") {
      out.push_back({"managed policy characters", id, estimated_size(properties["PolicyDocument"]),
                     kManagedPolicyLimit, origin});
    } else if (type == "AWS::Events::Rule") {
      out.push_back({"targets per rule", id, properties.value("Targets", json::array()).size(),
                     kMaxRuleTargets, origin});
    } else if (type == "AWS::Lambda::Permission") {
      for (const auto& function : references(properties["FunctionName"]).all())
        permissions[function] += kPermissionStatementBytes;
    } else if (type == "AWS::ApiGateway::Resource") {
      for (const auto& api : references(properties["RestApiId"]).all()) api_resources[api]++;
    }
  }
  for (const auto& [function, bytes] : permissions)
    out.push_back({"function resource policy bytes (estimated)", function, bytes,
                   kMaxFunctionPolicy, origin_in(origins, function)});
  for (const auto& [api, count] : api_resources)
    out.push_back({"resources per API", api, count, kResourcesPerApi, origin_in(origins, api)});
}

double share(const QuotaUse& use) {
  return use.limit ? static_cast<double>(use.used) / static_cast<double>(use.limit) : 0;
}

}  // namespace

std::vector<QuotaUse> quota_uses(const std::string& template_json,
                                 const std::vector<NestedStack>& nested,
                                 const std::map<std::string, std::string>& origins,
                                 std::vector<QuotaUse> name_uses) {
  std::vector<QuotaUse> out = std::move(name_uses);
  stack_uses(nested.empty() ? "the stack" : "the parent stack", template_json, true, origins, out);
  for (const auto& stack : nested) stack_uses(stack.name, stack.template_json, false, origins, out);
  std::stable_sort(out.begin(), out.end(), [](const QuotaUse& a, const QuotaUse& b) {
    return share(a) > share(b);
  });
  return out;
}

json budget_json(const std::vector<QuotaUse>& uses) {
  json out = json::array();
  for (const auto& use : uses)
    out.push_back({{"quota", use.quota}, {"subject", use.subject}, {"used", use.used},
                   {"limit", use.limit},
                   {"headroom", static_cast<long long>(use.limit) - static_cast<long long>(use.used)},
                   {"entry", use.entry}});
  return out;
}

std::string budget_table(const std::vector<QuotaUse>& uses) {
  std::vector<std::vector<std::string>> rows{{"quota", "subject", "used", "limit", "entry"}};
  for (const auto& use : uses)
    rows.push_back({use.quota, use.subject,
                    fmt::format("{} ({:.0f}%)", use.used, 100 * share(use)),
                    std::to_string(use.limit), use.entry.empty() ? "-" : use.entry});
  return text_table(rows, "llrrl");
}

}  // namespace pareto
