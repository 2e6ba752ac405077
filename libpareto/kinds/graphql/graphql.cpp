// graphql: an AppSync GraphQL API from a schema file beside the app, its resolvers bound to
// actions as Lambda data sources, with API key, user pool or IAM auth and CloudWatch logging.
#include <fmt/format.h>

#include <set>

#include "kinds/graphql/sdl.hpp"
#include "kinds/action/action.hpp"
#include "components/function.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

std::string schema_path(const Component& api) {
  return api.spec->contains("schema") ? api.string("schema") : api.name + ".graphql";
}

// Where errors about the schema file point: its "schema" entry, or the name it defaults from.
std::string schema_pointer(const Component& api) {
  return api.pointer + (api.spec->contains("schema") ? "/schema" : "/name");
}

std::vector<std::pair<std::string, std::string>> files(const Component& api) {
  return {{schema_path(api), schema_pointer(api)}};
}

// The schema's types and fields the resolvers name, checked against the file.
void check_resolvers(Checker& c, const Component& api, const GraphqlSchema& schema) {
  const json& resolvers = api["resolvers"];
  std::set<std::string> fields;
  for (size_t i = 0; i < resolvers.size(); ++i) {
    std::string at = api.pointer + "/resolvers/" + std::to_string(i);
    std::string type = resolvers[i]["type"], field = resolvers[i]["field"];
    auto found = schema.fields.find(type);
    if (found == schema.fields.end()) {
      std::vector<std::string> types;
      for (const auto& [name, _] : schema.fields) types.push_back(name);
      std::string hint = nearest(type, types);
      c.error(at + "/type", check::kUnknownRef,
              fmt::format("{} has no type {}{}", schema_path(api), type,
                          hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)));
    } else if (!found->second.count(field)) {
      std::string hint =
          nearest(field, std::vector<std::string>(found->second.begin(), found->second.end()));
      c.error(at + "/field", check::kUnknownRef,
              fmt::format("type {} of {} has no field {}{}", type, schema_path(api), field,
                          hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)));
    }
    if (!fields.insert(fmt::format("{}.{}", type, field)).second)
      c.error(at, check::kDuplicateName,
              fmt::format("{}.{} has a resolver already: a field has one", type, field));
  }
  if (!schema.fields.count(schema.roots.at("query")))
    c.error(api.pointer + "/name", check::kUnknownRef,
            fmt::format("{} has no {} type: AppSync needs a query type", schema_path(api),
                        schema.roots.at("query")));
}

void validate(Checker& c, const Component& api) {
  c.name_length(api, "GraphQL API", 0, 65536);
  if (api.string("auth") == "userpool") {
    if (!api.spec->contains("userpool"))
      c.error(api.pointer, check::kRequired,
              fmt::format("graphql \"{}\" uses userpool auth: name its \"userpool\"", api.name));
    else
      c.require("userpools", api.string("userpool"), api.pointer + "/userpool");
  } else if (api.spec->contains("userpool")) {
    c.error(api.pointer + "/userpool", check::kCombination,
            "a userpool applies to userpool auth: set \"auth: userpool\" too");
  }
  std::set<std::string> bound;
  const json& resolvers = api["resolvers"];
  for (size_t i = 0; i < resolvers.size(); ++i) {
    std::string at = api.pointer + "/resolvers/" + std::to_string(i) + "/action";
    std::string action = resolvers[i]["action"];
    // One action may resolve many fields of the API: it is one trigger, one edge.
    if (bound.insert(action).second && c.require("actions", action, at))
      c.bind(action, at, "graphql " + api.name, "resolves");
  }
  const auto& files = c.model().files;
  if (!files) {
    c.error(api.pointer, check::kHandlerMissing,
            fmt::format("graphql \"{}\" reads its schema from {} beside the app description: "
                        "load the app from its folder", api.name, schema_path(api)));
    return;
  }
  auto text = files->find(schema_path(api));
  if (text == files->end()) return;  // reported as missing already
  GraphqlRead read = read_graphql_schema(text->second);
  if (read.error) {
    c.error(schema_pointer(api), check::kSchema,
            fmt::format("{}:{}:{}: {}", schema_path(api), read.error->line, read.error->column,
                        read.error->message));
    return;
  }
  check_resolvers(c, api, read.schema);
}

// The Lambda data source's name: letters, digits and underscores ("hello-get" → HelloGet).
std::string data_source_name(const std::string& action) { return pascal_case(action); }

void render(Renderer& r, const Component& api) {
  std::string id = api.id(), auth = api.string("auth"), logging = api.string("logging");
  json api_id = cfn::get_att(id, "ApiId");
  json properties = {{"Name", r.physical_name(api.name)},
                     {"AuthenticationType", auth == "api-key"    ? "API_KEY"
                                            : auth == "userpool" ? "AMAZON_COGNITO_USER_POOLS"
                                                                 : "AWS_IAM"}};
  if (auth == "userpool")
    properties["UserPoolConfig"] = {
        {"UserPoolId", cfn::ref(logical_id(api.string("userpool"), "userpool"))},
        {"AwsRegion", cfn::ref("AWS::Region")},
        {"DefaultAction", "ALLOW"}};
  if (logging != "none") {
    std::string role = api.id("graphql-logs-role");
    render_role(r, role, nullptr, "appsync.amazonaws.com",
                {{{"logs:CreateLogStream", "logs:PutLogEvents"},
                  {arn("logs", "log-group:/aws/appsync/apis/*")},
                  api.pointer}},
                api.pointer);
    properties["LogConfig"] = {{"CloudWatchLogsRoleArn", cfn::get_att(role, "Arn")},
                               {"FieldLogLevel", logging == "all" ? "ALL" : "ERROR"}};
    render_log_group(r, api.id("graphql-log-group"),
                     "/aws/appsync/apis/${" + id + ".ApiId}", api.pointer);
  }
  r.resource(id, {{"Type", "AWS::AppSync::GraphQLApi"}, {"Properties", properties}}, api.pointer);
  std::string schema = api.id("graphql-schema");
  const auto& files = r.model().files;
  r.resource(schema,
             {{"Type", "AWS::AppSync::GraphQLSchema"},
              {"Properties", {{"ApiId", api_id}, {"Definition", files->at(schema_path(api))}}}},
             api.pointer);

  // A Lambda data source per action, invoked through one role.
  std::set<std::string> actions;
  for (const auto& resolver : api["resolvers"]) actions.insert(resolver["action"]);
  std::vector<Grant> invoke;
  for (const auto& action : actions) {
    json function = cfn::get_att(function_id(action), "Arn");
    invoke.push_back({{"lambda:InvokeFunction"},
                      {function, cfn::sub("${" + function_id(action) + ".Arn}:*")},
                      api.pointer});
  }
  std::string role = api.id("graphql-data-source-role");
  render_role(r, role, nullptr, "appsync.amazonaws.com", invoke, api.pointer);
  for (const auto& action : actions)
    r.resource(api.id(action + "-data-source"),
               {{"Type", "AWS::AppSync::DataSource"},
                {"Properties",
                 {{"ApiId", api_id},
                  {"Name", data_source_name(action)},
                  {"Type", "AWS_LAMBDA"},
                  {"LambdaConfig", {{"LambdaFunctionArn", cfn::get_att(function_id(action), "Arn")}}},
                  {"ServiceRoleArn", cfn::get_att(role, "Arn")}}}},
               api.pointer);
  const json& resolvers = api["resolvers"];
  for (size_t i = 0; i < resolvers.size(); ++i) {
    std::string type = resolvers[i]["type"], field = resolvers[i]["field"],
                action = resolvers[i]["action"];
    r.resource(id + pascal_case(type) + pascal_case(field) + "Resolver",
               {{"Type", "AWS::AppSync::Resolver"},
                {"DependsOn", schema},
                {"Properties",
                 {{"ApiId", api_id},
                  {"TypeName", type},
                  {"FieldName", field},
                  {"Kind", "UNIT"},
                  {"DataSourceName", cfn::get_att(api.id(action + "-data-source"), "Name")}}}},
               api.pointer + "/resolvers/" + std::to_string(i));
  }

  r.output(id + "Url", cfn::get_att(id, "GraphQLUrl"), "The URL of graphql " + api.name,
           api.pointer);
  r.output(id + "Id", api_id, "The API id of graphql " + api.name, api.pointer);
  if (auth == "api-key") {
    std::string key = api.id("graphql-api-key");
    r.resource(key, {{"Type", "AWS::AppSync::ApiKey"}, {"Properties", {{"ApiId", api_id}}}},
               api.pointer);
    r.output(key, cfn::get_att(key, "ApiKey"), "The API key of graphql " + api.name, api.pointer);
  }
}

// Handlers reach the API by its URL (<NAME>_GRAPHQL).
json variable(const Component& api) { return cfn::get_att(api.id(), "GraphQLUrl"); }

std::vector<json> arns(const Component& api) {
  return {cfn::get_att(api.id(), "Arn"), cfn::sub("${" + api.id() + ".Arn}/*")};
}

}  // namespace

extern const Kind kGraphqlKind{.key = "graphql", .noun = "graphql API", .suffix = "graphql",
                               .service = "appsync", .check = validate, .render = render,
                               .variable = variable, .arns = arns, .files = files};

}  // namespace pareto
