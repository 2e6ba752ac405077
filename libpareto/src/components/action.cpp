// actions: a Lambda function with its own role, log group and (when async) invoke config.
#include "components/action.hpp"

#include <fmt/format.h>

#include <regex>
#include <set>

#include "names.hpp"
#include "pattern/pattern.hpp"
#include "render/iam.hpp"

namespace pareto {
using nlohmann::json;

std::string function_id(std::string_view action) { return logical_id(action, "function"); }

std::string timeout_parameter(const Model& model, std::string_view action) {
  const Component* c = model.find("actions", action);
  return "Timeout" + pascal_case(c ? c->string("timeout") : "default");
}

json invoke_permission(std::string_view action, std::string_view principal, json source_arn) {
  return {{"Type", "AWS::Lambda::Permission"},
          {"Properties", {{"Action", "lambda:InvokeFunction"},
                          {"FunctionName", cfn::get_att(function_id(action), "Arn")},
                          {"Principal", principal},
                          {"SourceArn", std::move(source_arn)}}}};
}

namespace {

// Roles are global: the region in the name lets one stage deploy to several regions.
constexpr std::string_view kRegionSuffix = "-${AWS::Region}";
constexpr size_t kLongestRegion = 14;  // ap-southeast-5
constexpr int kDefaultAsyncRetries = 2;
constexpr std::string_view kErrorsTopic = "ErrorsTopic";

// What a variable the handler reads stands for.
struct Wiring {
  const Component* component = nullptr;  // the component it names
  const Kind* kind = nullptr;            // the kind its suffix names, even if none is declared
  std::string name;                      // the component name it spells
};

Wiring wire(const Model& model, const std::string& variable) {
  Wiring best;
  for (const Kind* kind : kinds()) {
    if (!kind->variable) continue;
    std::string suffix = "_" + upper_snake(kind->suffix);
    if (variable.size() <= suffix.size() ||
        variable.compare(variable.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::string name;
    for (char c : variable.substr(0, variable.size() - suffix.size()))
      name += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The longest suffix wins: USERS_USERPOOL is a user pool, not a "users-user" pool.
    if (!best.kind || kind->suffix.size() > best.kind->suffix.size())
      best = {model.find(kind->key, name), kind, name};
  }
  return best;
}

// actions[].events: rules on EventBridge that invoke the action with the events they select.
void validate_events(Checker& c, const Component& action) {
  const json& events = action["events"];
  if (!events.empty() && action.string("invocation") != "async")
    c.error(action.pointer + "/events", check::kCombination,
            "EventBridge invokes actions asynchronously: set \"invocation: async\" on the "
            "action (retries and failures then go to the errors topic)");
  std::set<std::string> names;
  for (size_t i = 0; i < events.size(); ++i) {
    const json& event = events[i];
    std::string at = action.pointer + "/events/" + std::to_string(i);
    std::string name = event["name"], type = event["source"]["type"];
    if (!names.insert(name).second)
      c.error(at + "/name", check::kDuplicateName,
              fmt::format("action \"{}\" already has an event named \"{}\"", action.name, name));
    if (type == "custom") {
      if (event["source"].contains("name"))
        c.error(at + "/source/name", check::kCombination, "a custom source names no component");
      if (event["pattern"].empty())
        c.error(at + "/pattern", check::kRequired,
                "a custom event needs a pattern (at least its \"source\"), or it would match "
                "every event on the bus");
    } else if (!event["source"].contains("name")) {
      c.error(at + "/source", check::kRequired,
              fmt::format("a {} event names its {}: source: {{type: {}, name: …}}", type, type, type));
    } else if (c.require(find_kind_by_noun(type)->key, event["source"]["name"].get<std::string>(),
                         at + "/source/name")) {
      c.source(at + "/source/name", "event " + name);
    }
    if (!event["pattern"].empty()) {
      Diagnostics problems;
      pattern::Pattern::compile(event["pattern"], problems, at + "/pattern");
      for (auto& p : problems) c.error(p.path, p.check, p.message);
    }
  }
}

void validate(Checker& c, const Component& action) {
  c.name_length(action, "function", 0, 64);
  c.name_length(action, "role", 1 + kLongestRegion, 64);
  const json& permissions = action["permissions"];
  static const std::regex kPermission("^[a-z0-9][a-z0-9-]*:[A-Za-z0-9*?]+$");
  for (size_t i = 0; i < permissions.size(); ++i) {
    std::string p = permissions[i];
    if (!std::regex_match(p, kPermission))
      c.error(action.pointer + "/permissions/" + std::to_string(i), check::kPermission,
              fmt::format("\"{}\" is not a permission like \"dynamodb:GetItem\": a service "
                          "prefix, a colon and an action (wildcards only in the action)",
                          p.size() > 64 ? p.substr(0, 64) + "…" : p));
  }
  for (size_t i = 0; i < action["layers"].size(); ++i)
    c.require("layers", action["layers"][i].get<std::string>(),
              action.pointer + "/layers/" + std::to_string(i));
  if (action.spec->contains("retries") && action.string("invocation") != "async")
    c.error(action.pointer + "/retries", check::kCombination,
            "retries apply to async actions only (invocation: async)");
  validate_events(c, action);
  auto it = c.model().variables.find(action.name);
  if (it == c.model().variables.end()) return;
  for (const auto& variable : it->second) {
    if (action["env"].contains(variable.name)) continue;  // declared: the user's value wins
    Wiring w = wire(c.model(), variable.name);
    if (w.component) c.link(action, *w.component, variable.name, action.pointer + "/path");
    if (!w.kind || w.component) continue;
    std::vector<std::string> declared;
    for (const auto& other : c.model().of(w.kind->key)) declared.push_back(other.name);
    std::string hint = nearest(w.name, declared);
    c.error(action.pointer + "/path", check::kVariable,
            fmt::format("{}: {} names no {} \"{}\"{}", variable.origin, variable.name,
                        w.kind->noun, w.name,
                        hint.empty() ? fmt::format("; declare it under \"{}\"", w.kind->key)
                                     : fmt::format("; did you mean {}?",
                                                   variable_name(hint, w.kind->suffix))));
  }
}

json runtime(const Component& action) {
  return action.string("runtime") == "nodejs" ? cfn::sub("nodejs${NodejsVersion}.x")
                                              : cfn::sub("python${RuntimeVersion}");
}

void render_errors_topic(Renderer& r, const Component& action) {
  if (r.has(std::string(kErrorsTopic))) return;
  std::string origin = action.pointer + "/invocation";
  r.resource(std::string(kErrorsTopic),
             {{"Type", "AWS::SNS::Topic"},
              {"Properties", {{"TopicName", r.physical_name("errors")}}}},
             origin);
  r.output(std::string(kErrorsTopic), cfn::ref(kErrorsTopic),
           "The ARN of the topic that receives failed async invocations", origin);
}

// The role and, when its statements outgrow the inline policy, managed policies attached to
// it; returns the managed policies' ids.
json render_role(Renderer& r, const Component& action, const std::string& role,
                 const std::vector<Grant>& grants) {
  std::vector<Statement> statements = merge_grants(grants);
  PolicyPlan plan = plan_policies(statements);
  if (!plan.fits)
    r.error(action.pointer + "/permissions", check::kPolicySize,
            fmt::format("the role of action \"{}\" needs more than IAM allows ({} characters "
                        "inline and {} managed policies of {}); use fewer resources or "
                        "wildcard actions",
                        action.name, kInlinePolicyLimit, kManagedPoliciesPerRole,
                        kManagedPolicyLimit));
  json required_by = json::object();
  for (const auto& statement : statements) required_by[statement.sid] = statement.origins;
  json trust = policy_document({{{"Effect", "Allow"},
                                 {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                                 {"Action", "sts:AssumeRole"}}});
  r.resource(role,
             {{"Type", "AWS::IAM::Role"},
              {"Metadata", {{"pareto", {{"required-by", required_by}}}}},
              {"Properties",
               {{"RoleName", r.physical_name(action.name, kRegionSuffix)},
                {"AssumeRolePolicyDocument", trust},
                {"Policies", {{{"PolicyName", action.name},
                               {"PolicyDocument", policy_document(plan.inline_statements)}}}}}}},
             action.pointer);
  json managed = json::array();
  for (size_t i = 0; i < plan.managed.size(); ++i) {
    std::string id = action.id("function-policy") + std::to_string(i + 1);
    r.resource(id,
               {{"Type", "AWS::IAM::ManagedPolicy"},
                {"Properties", {{"Roles", {cfn::ref(role)}},
                                {"PolicyDocument", policy_document(plan.managed[i])}}}},
               action.pointer + "/permissions");
    managed.push_back(id);
  }
  return managed;
}

// `extra` merged into `base`: objects key by key, anything else replaced.
json merged(json base, const json& extra) {
  for (const auto& [key, value] : extra.items())
    base[key] = base.contains(key) && base[key].is_object() && value.is_object()
                    ? merged(base[key], value) : value;
  return base;
}

void render_events(Renderer& r, const Component& action) {
  for (size_t i = 0; i < action["events"].size(); ++i) {
    const json& event = action["events"][i];
    std::string at = action.pointer + "/events/" + std::to_string(i);
    std::string type = event["source"]["type"], rule = logical_id(action.name + "-" + event["name"].get<std::string>(), "rule");
    json pattern = event["pattern"];
    if (type != "custom") {
      const Kind* kind = find_kind_by_noun(type);
      const Component* source = r.model().find(kind->key, event["source"]["name"].get<std::string>());
      pattern = merged(kind->event_source(*source), pattern);
    }
    r.resource(rule,
               {{"Type", "AWS::Events::Rule"},
                {"Properties",
                 {{"Description", fmt::format("event {} of action {}", event["name"].get<std::string>(), action.name)},
                  {"EventPattern", pattern},
                  {"State", "ENABLED"},
                  {"Targets", {{{"Id", "action"}, {"Arn", cfn::get_att(function_id(action.name), "Arn")}}}}}}},
               at);
    r.resource(rule + "Permission",
               invoke_permission(action.name, "events.amazonaws.com", cfn::get_att(rule, "Arn")), at);
  }
}

void render(Renderer& r, const Component& action) {
  std::string function = function_id(action.name);
  std::string role = action.id("function-role"), log_group = action.id("function-log-group");
  std::vector<Grant> grants{{{"logs:CreateLogStream", "logs:PutLogEvents"},
                             {cfn::get_att(log_group, "Arn")},
                             action.pointer}};
  const auto& bound = r.grants(action.name);
  grants.insert(grants.end(), bound.begin(), bound.end());

  // Variables: declared values as given, the ones the code reads wired to their component.
  json variables = json::object();
  for (const auto& [name, value] : action["env"].items())
    variables[name] = value.is_string() ? value.get<std::string>() : value.dump();
  std::map<std::string, std::vector<json>> scope;  // service → ARNs of components used
  if (auto it = r.model().variables.find(action.name); it != r.model().variables.end())
    for (const auto& variable : it->second) {
      Wiring w = wire(r.model(), variable.name);
      if (!w.component || variables.contains(variable.name)) continue;
      variables[variable.name] = w.kind->variable(*w.component);
      if (!w.kind->service.empty() && w.kind->arns) {
        auto arns = w.kind->arns(*w.component);
        auto& into = scope[std::string(w.kind->service)];
        into.insert(into.end(), arns.begin(), arns.end());
      }
    }
  const json& permissions = action["permissions"];
  for (size_t i = 0; i < permissions.size(); ++i) {
    std::string p = permissions[i];
    std::string service = p.substr(0, p.find(':'));
    grants.push_back({{p}, scope[service], action.pointer + "/permissions/" + std::to_string(i)});
  }

  json properties = {
      {"FunctionName", r.physical_name(action.name)},
      {"Handler", action.string("path") + "/index.handler"},
      {"Runtime", runtime(action)},
      {"Code", {{"S3Bucket", cfn::ref("ArtifactsBucket")}, {"S3Key", cfn::ref("ArtifactsKey")}}},
      {"MemorySize", cfn::ref("MemorySize" + pascal_case(action.string("size")))},
      {"Timeout", cfn::ref(timeout_parameter(r.model(), action.name))},
      {"Role", cfn::get_att(role, "Arn")},
      {"LoggingConfig", {{"LogGroup", cfn::ref(log_group)}}}};
  if (!variables.empty()) properties["Environment"] = {{"Variables", variables}};
  if (!action["layers"].empty()) {
    json layers = json::array();
    for (const auto& layer : action["layers"])
      layers.push_back(cfn::ref(logical_id(layer.get<std::string>(), "layer-arn")));
    properties["Layers"] = layers;
  }

  if (action.string("invocation") == "async") {
    render_errors_topic(r, action);
    grants.push_back({{"sns:Publish"}, {cfn::ref(kErrorsTopic)}, action.pointer + "/invocation"});
    r.resource(action.id("function-invoke-config"),
               {{"Type", "AWS::Lambda::EventInvokeConfig"},
                {"Properties",
                 {{"FunctionName", cfn::ref(function)},
                  {"Qualifier", "$LATEST"},
                  {"MaximumRetryAttempts", action.spec->value("retries", kDefaultAsyncRetries)},
                  {"DestinationConfig",
                   {{"OnFailure", {{"Destination", cfn::ref(kErrorsTopic)}}}}}}}},
               action.pointer + "/invocation");
  }

  render_events(r, action);

  std::string function_name = r.physical_name(action.name)["Fn::Sub"];
  r.resource(log_group,
             {{"Type", "AWS::Logs::LogGroup"},
              {"Properties", {{"LogGroupName", cfn::sub("/aws/lambda/" + function_name)},
                              {"RetentionInDays", cfn::ref("LogRetentionDays")}}}},
             action.pointer);
  json managed = render_role(r, action, role, grants);
  json resource = {{"Type", "AWS::Lambda::Function"}, {"Properties", properties}};
  if (!managed.empty()) resource["DependsOn"] = managed;  // permissions before first invocation
  r.resource(function, resource, action.pointer);
  r.output(function, cfn::ref(function), "The name of the function of action " + action.name,
           action.pointer);
}

}  // namespace

extern const Kind kActionKind{"actions", "action", "function", "lambda", validate, render,
                              [](const Component& action) { return cfn::ref(function_id(action.name)); },
                              [](const Component& action) {
                                return std::vector<json>{cfn::get_att(function_id(action.name), "Arn")};
                              }};

}  // namespace pareto
