#include "components/function.hpp"

#include <fmt/format.h>

#include "components/alarms.hpp"
#include "embedded.hpp"
#include "names.hpp"
#include "render/iam.hpp"

namespace pareto {
using nlohmann::json;

namespace {
constexpr int kHelperMemory = 256;  // the helpers do little work per invocation
}  // namespace

json arn(std::string_view service, std::string_view rest) {
  return cfn::sub(fmt::format("arn:${{AWS::Partition}}:{}:${{AWS::Region}}:${{AWS::AccountId}}:{}",
                              service, rest));
}

Function helper_function(std::string name, std::string_view source, std::string origin) {
  Function f;
  f.name = std::move(name);
  f.origin = std::move(origin);
  f.code = {{"ZipFile", std::string(embedded(source))}};
  f.runtime = cfn::sub("python${RuntimeVersion}");
  f.memory = kHelperMemory;
  f.timeout = kHelperTimeout;
  f.named_role = false;
  return f;
}

Grant consume_queue(Renderer& r, const std::string& mapping, const json& queue_arn,
                    const std::string& function, json batch_size, const std::string& origin,
                    int window) {
  json properties = {{"EventSourceArn", queue_arn},
                     {"FunctionName", cfn::ref(function)},
                     {"BatchSize", std::move(batch_size)},
                     {"FunctionResponseTypes", {"ReportBatchItemFailures"}}};
  if (window > 0) properties["MaximumBatchingWindowInSeconds"] = window;
  r.resource(mapping, {{"Type", "AWS::Lambda::EventSourceMapping"}, {"Properties", properties}},
             origin);
  return {{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
           "sqs:ReceiveMessage"},
          {queue_arn},
          origin};
}

void render_log_group(Renderer& r, const std::string& id, std::string name,
                      const std::string& origin) {
  r.resource(id,
             {{"Type", "AWS::Logs::LogGroup"},
              {"Properties", {{"LogGroupName", cfn::sub(std::move(name))},
                              {"RetentionInDays", cfn::ref("LogRetentionDays")}}}},
             origin);
}

json render_role(Renderer& r, const std::string& id, json name, std::string_view principal,
                 const std::vector<Grant>& grants, const std::string& origin,
                 const json& aws_policies) {
  std::vector<Statement> statements = merge_grants(grants);
  PolicyPlan plan = plan_policies(statements);
  if (!plan.fits || plan.managed.size() + aws_policies.size() > kManagedPoliciesPerRole)
    r.error(origin, check::kPolicySize,
            fmt::format("role {} needs more than IAM allows ({} characters inline and {} managed "
                        "policies of {}); use fewer resources or wildcard actions",
                        id, kInlinePolicyLimit, kManagedPoliciesPerRole, kManagedPolicyLimit));
  json required_by = json::object();
  for (const auto& statement : statements) required_by[statement.sid] = statement.origins;
  json trust = policy_document({{{"Effect", "Allow"},
                                 {"Principal", {{"Service", principal}}},
                                 {"Action", "sts:AssumeRole"}}});
  json properties = {{"AssumeRolePolicyDocument", trust},
                     {"Policies", {{{"PolicyName", "permissions"},
                                    {"PolicyDocument", policy_document(plan.inline_statements)}}}}};
  if (!name.is_null()) properties["RoleName"] = std::move(name);
  if (!aws_policies.empty()) properties["ManagedPolicyArns"] = aws_policies;
  r.resource(id,
             {{"Type", "AWS::IAM::Role"},
              {"Metadata", {{"pareto", {{"required-by", required_by}}}}},
              {"Properties", properties}},
             origin);
  json managed = json::array();
  for (size_t i = 0; i < plan.managed.size(); ++i) {
    std::string policy = id + "Policy" + std::to_string(i + 1);
    r.resource(policy,
               {{"Type", "AWS::IAM::ManagedPolicy"},
                {"Properties", {{"Roles", {cfn::ref(id)}},
                                {"PolicyDocument", policy_document(plan.managed[i])}}}},
               origin);
    managed.push_back(policy);
  }
  return managed;
}

namespace {

// Errors, throttles, and runs close to the timeout.
void render_alarms(Renderer& r, const Function& f, const std::string& function) {
  json dimensions = {{{"Name", "FunctionName"}, {"Value", cfn::ref(function)}}};
  auto metric = [&](const char* name, const char* statistic) {
    return json{{"Namespace", "AWS/Lambda"}, {"MetricName", name}, {"Dimensions", dimensions},
                {"Statistic", statistic}};
  };
  alarm(r, function + "ErrorsAlarm", "Errors of function " + f.name, metric("Errors", "Sum"),
        "errors", 1, f.origin);
  alarm(r, function + "ThrottlesAlarm", "Throttled invocations of function " + f.name,
        metric("Throttles", "Sum"), "throttles", 1, f.origin);
  // duration (ms) / (timeout (s) × 1000) × 100
  json expression = f.timeout.is_object()
                        ? cfn::sub("duration / (10 * ${" + f.timeout["Ref"].get<std::string>() + "})")
                        : json("duration / (10 * " + f.timeout.dump() + ")");
  json longest = metric("Duration", "Maximum");
  longest.erase("Statistic");
  alarm(r, function + "DurationAlarm", "Runs of function " + f.name + " close to its timeout",
        {{"Metrics",
          {{{"Id", "duration"},
            {"MetricStat", {{"Metric", longest}, {"Period", 300}, {"Stat", "Maximum"}}},
            {"ReturnData", false}},
           {{"Id", "share"},
            {"Expression", expression},
            {"Label", "longest run, % of the timeout"},
            {"ReturnData", true}}}}},
        "duration", 1, f.origin);
}

}  // namespace

std::string render_function(Renderer& r, const Function& f) {
  // Roles are global: the region in the name lets one stage deploy to several regions.
  static constexpr std::string_view kRegionSuffix = "-${AWS::Region}";
  std::string function = logical_id(f.name, "function");
  std::string role = function + "Role", log_group = function + "LogGroup";
  std::vector<Grant> grants{{{"logs:CreateLogStream", "logs:PutLogEvents"},
                             {cfn::get_att(log_group, "Arn")},
                             f.origin}};
  grants.insert(grants.end(), f.grants.begin(), f.grants.end());

  json properties = {{"FunctionName", r.physical_name(f.name)},
                     {"Handler", f.handler},
                     {"Runtime", f.runtime},
                     {"Code", f.code},
                     {"MemorySize", f.memory},
                     {"Timeout", f.timeout},
                     {"Role", cfn::get_att(role, "Arn")},
                     {"LoggingConfig", {{"LogGroup", cfn::ref(log_group)}}}};
  if (!f.variables.empty()) properties["Environment"] = {{"Variables", f.variables}};
  if (!f.layers.empty()) properties["Layers"] = f.layers;
  properties.update(f.settings);

  render_log_group(r, log_group, "/aws/lambda/" + r.physical_name(f.name)["Fn::Sub"].get<std::string>(),
                   f.origin);
  r.charts({"function " + f.name, "data/charts/function.json", {{"name", "${" + function + "}"}}});
  render_alarms(r, f, function);
  watch_logs(r, function, log_group, f.origin);
  json managed = render_role(r, role,
                             f.named_role ? r.physical_name(f.name, kRegionSuffix) : json(),
                             "lambda.amazonaws.com", grants, f.origin, f.aws_policies);
  json resource = {{"Type", "AWS::Lambda::Function"}, {"Properties", properties}};
  if (!managed.empty()) resource["DependsOn"] = managed;  // permissions before first invocation
  r.resource(function, resource, f.origin);
  return function;
}

}  // namespace pareto
