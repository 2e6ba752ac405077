// actions: a Lambda function with its own role, log group and (when async) invoke config.
#include "kinds/action/action.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include <regex>
#include <set>

#include "finalize/finalize.hpp"
#include "load/sources.hpp"
#include "names.hpp"
#include "pattern/pattern.hpp"
#include "components/errors.hpp"
#include "components/function.hpp"
#include "components/runtime.hpp"
#include "embedded.hpp"

namespace pareto {
using nlohmann::json;

std::string function_id(std::string_view action) { return logical_id(action, "function"); }

json action_timeout(const Model& model, std::string_view action) {
  const Component* c = model.find("actions", action);
  if (c && (*c)["timeout"].is_number_integer()) return (*c)["timeout"];
  return cfn::ref("Timeout" + pascal_case(c ? c->string("timeout") : "default"));
}

json invoke_permission(std::string_view action, std::string_view principal, json source_arn) {
  return {{"Type", "AWS::Lambda::Permission"},
          {"Properties", {{"Action", "lambda:InvokeFunction"},
                          {"FunctionName", cfn::get_att(function_id(action), "Arn")},
                          {"Principal", principal},
                          {"SourceArn", std::move(source_arn)}}}};
}

namespace {

constexpr size_t kLongestRegion = 14;  // ap-southeast-5
constexpr int kDefaultAsyncRetries = 2;
constexpr size_t kMaxLayers = 5;

// What a variable the handler reads stands for.
struct Wiring {
  const Component* component = nullptr;  // the component it names
  const Kind* kind = nullptr;            // the kind its suffix names, even if none is declared
  std::string name;                      // the component name it spells
};

Wiring wire(const Model& model, const std::string& variable) {
  Wiring best;
  for (const Kind* kind : model.kinds) {
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

// The ARNs of the components the action's code reaches, by the IAM service of their kind: what
// its permissions of that service are scoped to. A declared variable is the user's, and scopes
// nothing.
std::map<std::string, std::vector<json>> scope_of(const Model& model, const Component& action) {
  std::map<std::string, std::vector<json>> scope;
  auto it = model.variables.find(action.name);
  if (it == model.variables.end()) return scope;
  for (const auto& variable : it->second) {
    if (action["env"].contains(variable.name)) continue;
    Wiring w = wire(model, variable.name);
    if (!w.component || w.kind->service.empty() || !w.kind->arns) continue;
    auto arns = w.kind->arns(*w.component);
    auto& into = scope[std::string(w.kind->service)];
    into.insert(into.end(), arns.begin(), arns.end());
  }
  return scope;
}

// Where a permission reaches that no component scopes (permission-scopes.json): its ARN pattern,
// "*" where IAM takes no resource for it, or why it is refused.
struct Reach {
  std::optional<std::string> arn;
  std::string refused;
};

Reach unscoped_reach(std::string_view permission) {
  static const json scopes = json::parse(embedded("kinds/action/permission-scopes.json"));
  std::string service(permission.substr(0, permission.find(':')));
  std::string name(permission.substr(permission.find(':') + 1));
  auto it = scopes["services"].find(service);
  if (it != scopes["services"].end()) {
    if (auto own = it->find("actions"); own != it->end() && own->contains(name))
      return {(*own)[name].get<std::string>(), ""};
    if (it->contains("refuse")) return {std::nullopt, (*it)["refuse"]};
    if (it->contains("arn")) return {(*it)["arn"].get<std::string>(), ""};
  }
  std::string arn = scopes["regional"];
  arn.replace(arn.find("{service}"), std::string_view("{service}").size(), service);
  return {arn, ""};
}

// An ARN the user or the scopes write: substituted when it names a pseudo parameter.
json arn_value(const std::string& text) {
  return text.find("${") == std::string::npos ? json(text) : cfn::sub(text);
}

// actions[].events: rules on EventBridge that invoke the action with the events they select.
void validate_events(Checker& c, const Component& action) {
  const json& events = action["events"];
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
    } else if (const Component* source = c.require(
                   find_kind_by_suffix(type)->key, event["source"]["name"].get<std::string>(),
                   at + "/source/name")) {
      c.source(at + "/source/name", "event " + name);
      if (source->kind->event_source(*source).is_null())
        c.error(at + "/source/name", check::kCombination,
                fmt::format("{} \"{}\" sends no events: give it \"streaming: {{}}\"", type,
                            source->name));
    }
    if (!event["pattern"].empty()) {
      Diagnostics problems;
      pattern::Pattern::compile(event["pattern"], problems, at + "/pattern");
      for (auto& p : problems) c.error(p.path, p.check, p.message);
    }
  }
}

// The settings a number or a name can give: memory, runtime; and references in env.
void validate_settings(Checker& c, const Component& action) {
  if (action.spec->contains("memory") && action.spec->contains("size"))
    c.error(action.pointer + "/memory", check::kCombination,
            "memory (MB) and size (a preset) both set the function's memory: keep one");
  if (auto problem = runtime_problem(action.string("runtime")))
    c.error(action.pointer + "/runtime", check::kEnum, *problem);
  for (const auto& [name, value] : action["env"].items()) {
    if (!value.is_object()) continue;
    std::string at = action.pointer + "/env/" + pointer_escape(name);
    if (value.contains("ssm") == value.contains("secret"))
      c.error(at, check::kCombination,
              fmt::format("{} references one value: {{ssm: NAME}} or {{secret: NAME}}", name));
    else if (value.contains("runtime") && !value.contains("ssm"))
      c.error(at + "/runtime", check::kCombination,
              "a secret is always read at run time: runtime applies to ssm");
  }
}

// An env value that references an SSM parameter or a secret, and what reading it takes.
void reference_value(Renderer& r, const Component& action, const std::string& variable,
                     const json& value, Function& f) {
  std::string at = action.pointer + "/env/" + pointer_escape(variable);
  if (value.contains("secret")) {
    std::string name = value["secret"];
    f.variables[variable] = name;
    // A secret's ARN ends in "-" and six random characters, which "??????" matches exactly.
    f.grants.push_back({{"secretsmanager:GetSecretValue"},
                        {cfn::sub("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:"
                                  "${AWS::AccountId}:secret:" + name + "-??????")},
                        at});
    return;
  }
  std::string name = value["ssm"];
  if (value.value("runtime", false)) {
    f.variables[variable] = name;
    std::string path = name.front() == '/' ? name.substr(1) : name;
    f.grants.push_back({{"ssm:GetParameter"},
                        {cfn::sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:"
                                  "parameter/" + path)},
                        at});
    return;
  }
  // Resolved by CloudFormation when the stack deploys, as a parameter whose default is the name
  // (a stage's parameters may name another).
  std::string words;
  for (char ch : name) words += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '-';
  std::string id = "Ssm" + pascal_case(words);
  json parameter = {{"Type", "AWS::SSM::Parameter::Value<String>"},
                    {"Default", name},
                    {"Description", "The SSM parameter whose value " + variable + " gets, read when the stack deploys"}};
  const json& parameters = r.parameters();
  if (parameters.contains(id) && parameters[id]["Default"] != name)
    r.error(at + "/ssm", check::kIdCollision,
            fmt::format("SSM parameters {} and {} both make the template parameter {}: rename one",
                        parameters[id]["Default"].get<std::string>(), name, id));
  else
    r.parameter(id, std::move(parameter), at);
  f.variables[variable] = cfn::ref(id);
}

// vpc: ids as given, or a template parameter of the list's type.
json vpc_ids(Renderer& r, const Component& action, const char* key, const char* type,
            const char* noun) {
  const json& ids = action["vpc"][key];
  if (ids.is_array()) return ids;
  std::string id = pascal_case(ids.get<std::string>());
  std::string at = action.pointer + "/vpc/" + key;
  if (parameter_defaults().contains(id)) {
    r.error(at, check::kIdCollision,
            fmt::format("{} is one of pareto's own template parameters: name the {} another way",
                        id, noun));
  } else if (r.parameters().contains(id) && r.parameters()[id]["Type"] != type) {
    r.error(at, check::kIdCollision,
            fmt::format("the template parameter {} is already a {}, not a {}", id,
                        r.parameters()[id]["Type"].get<std::string>(), type));
  } else {
    r.parameter(id, {{"Type", type}, {"Description", fmt::format("The {} of functions in the VPC", noun)}}, at);
  }
  return cfn::ref(id);
}

void validate(Checker& c, const Component& action) {
  validate_settings(c, action);
  c.name_length(action, "function", 0, 64);
  c.name_length(action, "role", 1 + kLongestRegion, 64);
  const json& permissions = action["permissions"];
  static const std::regex kPermission("^[a-z0-9][a-z0-9-]*:[A-Za-z0-9*?]+$");
  auto scope = scope_of(c.model(), action);
  for (size_t i = 0; i < permissions.size(); ++i) {
    bool named = permissions[i].is_object();  // {action, resource}: the user's own scope
    std::string p = named ? permissions[i]["action"] : permissions[i];
    std::string at = fmt::format("{}/permissions/{}{}", action.pointer, i, named ? "/action" : "");
    if (!std::regex_match(p, kPermission)) {
      c.error(at, check::kPermission,
              fmt::format("\"{}\" is not a permission like \"dynamodb:GetItem\": a service "
                          "prefix, a colon and an action (wildcards only in the action)",
                          p.size() > 64 ? p.substr(0, 64) + "…" : p));
      continue;
    }
    if (named || scope.contains(p.substr(0, p.find(':')))) continue;
    if (Reach reach = unscoped_reach(p); !reach.arn)
      c.error(at, check::kPermission,
              fmt::format("{}: the code uses no component to scope it to. {}", p, reach.refused));
  }
  if (action["layers"].size() + action["powertools"].get<bool>() > kMaxLayers)
    c.error(action.pointer + "/layers", check::kRange,
            fmt::format("a function takes at most {} layers, and powertools counts as one",
                        kMaxLayers));
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
    std::string name = event["name"], type = event["source"]["type"];
    std::string rule = logical_id(action.name + "-" + name, "rule");
    std::string title = fmt::format("event {} of action {}", name, action.name);
    json pattern = event["pattern"];
    if (type != "custom") {
      const Kind* kind = find_kind_by_suffix(type);
      const Component* source = r.model().find(kind->key, event["source"]["name"].get<std::string>());
      pattern = merged(kind->event_source(*source), pattern);
    }
    json target = {{"Id", "action"}, {"Arn", cfn::get_att(function_id(action.name), "Arn")}};
    r.resource(rule,
               {{"Type", "AWS::Events::Rule"},
                {"Properties", {{"Description", title},
                                {"EventPattern", pattern},
                                {"State", "ENABLED"},
                                {"Targets", {target}}}}},
               at);
    r.resource(rule + "Permission",
               invoke_permission(action.name, "events.amazonaws.com", cfn::get_att(rule, "Arn")), at);
    r.charts({title, "data/charts/rule.json", {{"name", "${" + rule + "}"}}});
  }
}

// The Powertools for AWS Lambda layer AWS publishes in each region, for the action's runtime,
// and the variables its logger and metrics read.
void add_powertools(Renderer& r, const Component& action, Function& f) {
  Runtime runtime = runtime_of(action.string("runtime"));
  if (runtime.family == "nodejs") {  // one layer for both architectures
    f.layers.push_back(cfn::sub("arn:${AWS::Partition}:lambda:${AWS::Region}:094274105915:layer:"
                                "AWSLambdaPowertoolsTypeScriptV2:${PowertoolsNodejsLayerVersion}"));
  } else {
    // Python's layers are per minor version ("3.12" → python312) and architecture.
    json minor = runtime.version.empty()
                     ? json{{"Fn::Join", {"", {{"Fn::Split", {".", cfn::ref("RuntimeVersion")}}}}}}
                     : json(runtime.version.substr(0, 1) + runtime.version.substr(2));
    f.layers.push_back({{"Fn::Sub",
                         {"arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:"
                          "AWSLambdaPowertoolsPythonV3-python${Minor}-" +
                              action.string("architecture") + ":${PowertoolsPythonLayerVersion}",
                          {{"Minor", minor}}}}});
  }
  f.variables["POWERTOOLS_SERVICE_NAME"] = r.model().app;
  f.variables["POWERTOOLS_LOG_LEVEL"] = cfn::ref("LogLevel");
}

void render(Renderer& r, const Component& action) {
  Function f;
  f.name = action.name;
  f.origin = action.pointer;
  f.runtime = runtime_property(runtime_of(action.string("runtime")));
  f.code = {{"S3Bucket", cfn::ref("ArtifactsBucket")},
            {"S3Key", r.model().code_keys.at("actions/" + action.name)}};
  f.memory = action.spec->contains("memory")
                 ? action["memory"]
                 : cfn::ref("MemorySize" + pascal_case(action.spec->value("size", "default")));
  f.timeout = action_timeout(r.model(), action.name);
  f.grants = r.grants(action.name);
  if (std::string architecture = action.string("architecture"); architecture != "x86_64")
    f.settings["Architectures"] = {architecture};
  if (action.spec->contains("concurrency"))
    f.settings["ReservedConcurrentExecutions"] = action["concurrency"];
  if (action.spec->contains("storage")) f.settings["EphemeralStorage"] = {{"Size", action["storage"]}};
  if (action["tracing"].get<bool>()) {
    f.settings["TracingConfig"] = {{"Mode", "Active"}};
    // X-Ray's writes take no resource-level permissions: AWS's policy for them, as SAM attaches.
    f.aws_policies.push_back(cfn::sub("arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"));
  }
  if (action.spec->contains("vpc")) {
    f.settings["VpcConfig"] = {
        {"SubnetIds", vpc_ids(r, action, "subnets", "List<AWS::EC2::Subnet::Id>", "subnets")},
        {"SecurityGroupIds", vpc_ids(r, action, "security-groups", "List<AWS::EC2::SecurityGroup::Id>",
                                     "security groups")}};
    // Network interfaces take no resource-level permissions to describe: AWS's policy for them.
    f.aws_policies.push_back(cfn::sub(
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaENIManagementAccess"));
  }

  // Variables: declared values as given, the ones the code reads wired to their component.
  for (const auto& [name, value] : action["env"].items()) {
    if (value.is_object()) reference_value(r, action, name, value, f);
    else f.variables[name] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  if (auto it = r.model().variables.find(action.name); it != r.model().variables.end())
    for (const auto& variable : it->second) {
      Wiring w = wire(r.model(), variable.name);
      if (w.component && !f.variables.contains(variable.name))
        f.variables[variable.name] = w.kind->variable(*w.component);
    }
  auto scope = scope_of(r.model(), action);
  const json& permissions = action["permissions"];
  for (size_t i = 0; i < permissions.size(); ++i) {
    std::string origin = action.pointer + "/permissions/" + std::to_string(i);
    if (permissions[i].is_object()) {
      json resource = permissions[i]["resource"];
      std::vector<json> arns;
      for (const auto& arn : resource.is_array() ? resource : json::array({resource}))
        arns.push_back(arn_value(arn));
      f.grants.push_back({{permissions[i]["action"]}, std::move(arns), origin});
      continue;
    }
    std::string p = permissions[i];
    std::vector<json> arns = scope[p.substr(0, p.find(':'))];
    if (arns.empty())  // checked: a pattern, or "*" (no resources) where IAM takes none
      if (Reach reach = unscoped_reach(p); reach.arn && *reach.arn != "*")
        arns.push_back(arn_value(*reach.arn));
    f.grants.push_back({{p}, std::move(arns), origin});
  }
  for (const auto& layer : action["layers"])
    f.layers.push_back(cfn::ref(logical_id(layer.get<std::string>(), "layer-arn")));
  if (action["powertools"].get<bool>()) add_powertools(r, action, f);

  if (action.string("invocation") == "async") {
    std::string origin = action.pointer + "/invocation";
    f.grants.push_back(errors_grant(origin));
    r.resource(action.id("function-invoke-config"),
               {{"Type", "AWS::Lambda::EventInvokeConfig"},
                {"Properties",
                 {{"FunctionName", cfn::ref(function_id(action.name))},
                  {"Qualifier", "$LATEST"},
                  {"MaximumRetryAttempts", action.spec->value("retries", kDefaultAsyncRetries)},
                  {"DestinationConfig",
                   {{"OnFailure", {{"Destination", errors_destination(r, origin)}}}}}}}},
               origin);
  }
  render_events(r, action);
  std::string function = render_function(r, f);
  r.output(function, cfn::ref(function), "The name of the function of action " + action.name,
           action.pointer);
}

}  // namespace

void infer_invocations(json& config, Diagnostics& errors) {
  std::map<std::string, std::string> async;  // action → what invokes it asynchronously
  for (auto [key, noun] : {std::pair{"timers", "timer"}, std::pair{"topics", "topic"}})
    if (config.contains(key) && config[key].is_array())
      for (const auto& entry : config[key])
        if (entry.contains("action") && entry["action"].is_string())
          async.emplace(entry["action"], fmt::format("{} \"{}\"", noun, entry.value("name", "")));
  if (!config.contains("actions")) return;
  json& actions = config["actions"];
  for (size_t i = 0; i < actions.size(); ++i) {
    json& action = actions[i];
    std::string name = action.value("name", "");
    if (!action.value("events", json::array()).empty()) async.emplace(name, "its events (EventBridge)");
    auto trigger = async.find(name);
    if (!action.contains("invocation")) {
      action["invocation"] = trigger == async.end() ? "sync" : "async";
    } else if (action["invocation"] == "sync" && trigger != async.end()) {
      report(errors, fmt::format("/actions/{}/invocation", i), check::kCombination,
             fmt::format("{} invokes action \"{}\" asynchronously: \"invocation: sync\" "
                         "contradicts it; leave invocation out", trigger->second, name));
    }
  }
}

namespace {

json variable(const Component& action) { return cfn::ref(function_id(action.name)); }

std::vector<json> arns(const Component& action) {
  return {cfn::get_att(function_id(action.name), "Arn")};
}

// Its folder is its name with a folder per word (hello-get: hello/get), unless it says otherwise.
void defaults(json& action) {
  if (action.contains("path")) return;
  std::string path = action["name"];
  std::replace(path.begin(), path.end(), '-', '/');
  action["path"] = path;
}

// Its handler, and the variables its code reads.
void read(Model& model, const Component& action, const std::filesystem::path& app_dir,
          Diagnostics& errors) {
  std::string folder = action.string("path"), runtime = runtime_of(action.string("runtime")).family;
  if (!find_handler(app_dir / folder, runtime))
    report(errors, action.pointer + "/path", check::kHandlerMissing,
           fmt::format("no handler for action \"{}\": expected {}/index.{} beside the app "
                       "description", action.name, folder, runtime == "nodejs" ? "js" : "py"));
  model.variables[action.name] = scan_folder(app_dir, folder, runtime);
}

}  // namespace

extern const Kind kActionKind{.key = "actions", .noun = "action", .suffix = "function",
                              .service = "lambda", .check = validate, .render = render,
                              .variable = variable, .arns = arns, .defaults = defaults,
                              .read = read};

}  // namespace pareto
