// Local mode's compatibility pass: the copy of a template that moto's CloudFormation can create,
// and the two deploy hooks that make up for what moto's CloudFormation leaves undone.
//
// moto creates the resource types it models and skips the rest (Cognito, Secrets Manager, API
// Gateway stages, authorizers, models, validators, ...); it reads `Integration.Uri` and
// `IntegrationHttpMethod` of every AWS::ApiGateway::Method, which MOCK integrations lack; and its
// change sets create resources in template order, without reading DependsOn. The template for AWS
// is never bent to that: local mode deploys the copy `adapt_for_moto` makes.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "engine/session.hpp"
#include "engine/task.hpp"

namespace pareto::engine {

// The resource types moto's CloudFormation creates (data/engine/moto-types.json, written by
// scripts/moto_types.py from the moto that python/pyproject.toml pins).
const std::set<std::string, std::less<>>& moto_types();

// What moto's CloudFormation leaves undone and `after_execute` does through the services' APIs.
struct ThroughApi {
  // The template's AWS::CloudWatch::Alarm Properties by logical id (moto drops alarms).
  json alarms = json::object();
  // By logical id, {Type, Properties}: the settings of buckets (CORS, versioning, lifecycle,
  // website) and tables (time to live) that moto's CloudFormation ignores, and the bucket
  // policies it drops.
  json settings = json::object();
};

struct Adapted {
  // Ordered: moto creates resources in the order of the TemplateBody text, so dump this one.
  nlohmann::ordered_json templ;
  std::vector<std::string> changes;  // what was changed, one line each
  ThroughApi through_api;
};

// A copy of `templ` that moto can create: it drops the resources moto does not model, the
// DependsOn entries and outputs naming them, and turns other references to them (Ref,
// Fn::GetAtt, ${...} in Fn::Sub) into "local:<LogicalId>"; gives MOCK methods a placeholder Uri
// and IntegrationHttpMethod; and orders the resources so that DependsOn targets come first,
// otherwise keeping their order (parse the text as ordered_json to keep it).
// Who fires the functions: moto (deploy --local), or pareto dev, which runs the handlers itself.
// For pareto, what would have moto invoke a function goes (event source mappings, Lambda targets
// of rules, Lambda subscriptions of topics), and taps deliver to pareto instead: every message of
// a topic with a Lambda subscription goes to the stack's queue kDevTopicsQueue, and every event on
// a bus (tapped in the root stack only, so once) to kDevEventsQueue.
enum class Firing { moto, pareto_root, pareto_nested };
Adapted adapt_for_moto(const nlohmann::ordered_json& templ, Firing firing = Firing::moto);

inline constexpr std::string_view kDevEventsQueue = "ParetoDevEventsQueue";
inline constexpr std::string_view kDevTopicsQueue = "ParetoDevTopicsQueue";

// Resolves the intrinsics of a deployed stack's resource properties: Ref (resources, parameters,
// pseudo parameters), Fn::GetAtt of a queue's QueueName and a bucket's Arn, and Fn::Sub; what it
// cannot resolve becomes "local:<reference>".
class Resolver {
 public:
  Resolver(std::map<std::string, std::string> physical, std::map<std::string, std::string> values)
      : physical_(std::move(physical)), values_(std::move(values)) {}

  // From DescribeStacks and ListStackResources.
  static Task<Resolver> for_stack(Session& session, std::string stack_name);

  // "LogicalId" or "LogicalId.Attribute".
  std::string name(const std::string& reference) const;
  json operator()(const json& node) const;

 private:
  std::map<std::string, std::string> physical_;  // logical id → physical id
  std::map<std::string, std::string> values_;    // parameters and pseudo parameters
};

// After a change set is executed: an update reusing the template and parameters, since moto's
// change sets leave a stack's outputs uncomputed; then the alarms, named <stack>-<LogicalId>,
// and the settings (an added setting is applied; a removed one stays as it was). Returns the
// notes to show the user.
Task<std::vector<std::string>> after_execute(Session& session, std::string stack_name,
                                             ThroughApi through_api);

// Before the stack is deleted: the alarms `after_execute` created.
Task<void> before_destroy(Session& session, std::string stack_name);

}  // namespace pareto::engine
