// apis: an API Gateway REST API whose endpoints invoke actions, with request validation and
// CORS preflight, deployed to one stage.
#include <fmt/format.h>

#include "kinds/action/action.hpp"
#include "components/alarms.hpp"
#include "components/function.hpp"
#include "names.hpp"
#include "render/draft4.hpp"

#include <set>

namespace pareto {
using nlohmann::json;

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  for (size_t begin = 0; begin <= path.size();) {
    size_t end = std::min(path.find('/', begin), path.size());
    out.push_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

// A path segment's part of logical ids: "users" → Users, "{id}" → ById, "v1.2" → V12.
std::string segment_id(const std::string& segment) {
  std::string words;
  for (char c : segment) words += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return (segment.front() == '{' ? "By" : "") + pascal_case(words);
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string resource_id(const Component& api, const std::vector<std::string>& segments,
                        size_t count) {
  std::string id = api.id();
  for (size_t i = 0; i < count; ++i) id += segment_id(segments[i]);
  return id + "Resource";
}

std::string method_id(const Component& api, const json& endpoint) {
  auto segments = split_path(endpoint["path"]);
  std::string id = resource_id(api, segments, segments.size());
  return id.substr(0, id.size() - std::string_view("Resource").size()) +
         pascal_case(lower(endpoint["method"].get<std::string>())) + "Method";
}

std::string auth_of(const Component& api, const json& endpoint) {
  return endpoint.value("auth", api.string("auth"));
}

bool any_auth(const Component& api, std::string_view auth) {
  for (const auto& endpoint : api["endpoints"])
    if (auth_of(api, endpoint) == auth) return true;
  return false;
}

void validate(Checker& c, const Component& api) {
  c.name_length(api, "API", 0, 1024);
  if (any_auth(api, "cognito")) {
    if (!api.spec->contains("userpool"))
      c.error(api.pointer, check::kRequired,
              fmt::format("api \"{}\" uses cognito auth: name its \"userpool\"", api.name));
    else
      c.require("userpools", api.string("userpool"), api.pointer + "/userpool");
  }
  if (api.spec->contains("quota") && !any_auth(api, "api-key"))
    c.error(api.pointer + "/quota", check::kCombination,
            "a quota applies to api-key auth: no endpoint of this api uses it");
  std::map<std::string, std::string> routes;      // "GET /users/{id}" → pointer
  std::map<std::string, std::string> variables;  // "users/" → "{id}": one variable per level
  const json& endpoints = api["endpoints"];
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const json& endpoint = endpoints[i];
    std::string at = api.pointer + "/endpoints/" + std::to_string(i);
    std::string method = endpoint["method"], path = endpoint["path"];
    std::string route = fmt::format("{} /{}", method, path);
    if (auto [it, inserted] = routes.try_emplace(route, at); !inserted)
      c.error(at, check::kDuplicateName, route + " is already served by " + it->second);
    std::string prefix;
    std::set<std::string> names;
    for (const auto& segment : split_path(path)) {
      if (segment.front() == '{') {
        auto [it, inserted] = variables.try_emplace(prefix, segment);
        if (!inserted && it->second != segment)
          c.error(at + "/path", check::kCombination,
                  fmt::format("/{}{} and /{}{} differ only in the variable's name; API Gateway "
                              "allows one variable per level", prefix, segment, prefix,
                              it->second));
        if (!names.insert(segment).second)
          c.error(at + "/path", check::kDuplicateName, segment + " appears twice in the path");
      }
      prefix += segment + "/";
    }
    bool has_body = method == "POST" || method == "PUT" || method == "PATCH";
    if (endpoint.contains("schema") && !has_body)
      c.error(at + "/schema", check::kCombination,
              method + " requests have no body to check; use \"parameters\"");
    if (!endpoint["parameters"].empty() && has_body)
      c.error(at + "/parameters", check::kCombination,
              method + " requests carry a body: check it with a \"schema\"");
    if (endpoint.contains("schema")) {
      Diagnostics problems;
      to_draft4(endpoint["schema"], at + "/schema", problems);
      for (auto& problem : problems) c.error(problem.path, problem.check, problem.message);
    }
    std::string action = endpoint["action"];
    if (c.require("actions", action, at + "/action"))
      c.bind(action, at + "/action", "endpoint " + route + " of api " + api.name, route);
  }
}

json cors_values(const Component& api, const std::string& prefix, const std::string& methods) {
  return {{prefix + "Access-Control-Allow-Headers", "'Authorization,Content-Type,X-Api-Key'"},
          {prefix + "Access-Control-Allow-Methods", "'" + methods + "'"},
          {prefix + "Access-Control-Allow-Origin", "'" + api["cors"]["origin"].get<std::string>() + "'"}};
}

json cors_method(const Component& api, const std::string& resource, const std::string& methods) {
  json values = cors_values(api, "method.response.header.", methods + ",OPTIONS");
  json declared = json::object();
  for (const auto& [key, _] : values.items()) declared[key] = true;
  return {{"Type", "AWS::ApiGateway::Method"},
          {"Properties",
           {{"RestApiId", cfn::ref(api.id())},
            {"ResourceId", cfn::ref(resource)},
            {"HttpMethod", "OPTIONS"},
            {"AuthorizationType", "NONE"},
            {"Integration",
             {{"Type", "MOCK"},
              {"RequestTemplates", {{"application/json", "{\"statusCode\": 200}"}}},
              {"IntegrationResponses",
               {{{"StatusCode", "200"}, {"ResponseParameters", values}}}}}},
            {"MethodResponses", {{{"StatusCode", "200"}, {"ResponseParameters", declared}}}}}}};
}

// A deployment snapshots the API; its id carries a hash of the API's shape so that a stack
// update with changed endpoints publishes them.
std::string deployment_id(const Component& api, const json& shape) {
  uint64_t hash = fnv1a(shape.dump());
  return fmt::format("{}Deployment{:08X}", api.id(), static_cast<uint32_t>(hash >> 32));
}

// API Gateway writes access logs through one account-wide role; the app sets it once.
constexpr std::string_view kAccount = "ApiGatewayAccount";

void render_account(Renderer& r) {
  if (r.has(std::string(kAccount))) return;
  std::string role = "ApiGatewayCloudWatchRole";
  json trust = {{"Version", "2012-10-17"},
                {"Statement", {{{"Effect", "Allow"},
                                {"Principal", {{"Service", "apigateway.amazonaws.com"}}},
                                {"Action", "sts:AssumeRole"}}}}};
  r.resource(role,
             {{"Type", "AWS::IAM::Role"},
              {"Properties",
               {{"RoleName", r.physical_name("apigateway", "-${AWS::Region}")},
                {"AssumeRolePolicyDocument", trust},
                {"ManagedPolicyArns",
                 {cfn::sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                           "AmazonAPIGatewayPushToCloudWatchLogs")}}}}},
             "/apis");
  r.resource(std::string(kAccount),
             {{"Type", "AWS::ApiGateway::Account"},
              {"Properties", {{"CloudWatchRoleArn", cfn::get_att(role, "Arn")}}}},
             "/apis");
}

void render_api_key(Renderer& r, const Component& api, const std::string& stage) {
  std::string key = api.id("api-key"), plan = api.id("api-usage-plan");
  r.resource(key,
             {{"Type", "AWS::ApiGateway::ApiKey"},
              {"Properties", {{"Name", r.physical_name(api.name)}, {"Enabled", true}}}},
             api.pointer + "/auth");
  json properties = {{"UsagePlanName", r.physical_name(api.name)},
                     {"ApiStages", {{{"ApiId", cfn::ref(api.id())}, {"Stage", cfn::ref(stage)}}}},
                     {"Throttle", {{"RateLimit", api["throttling"]["rate"]},
                                   {"BurstLimit", api["throttling"]["burst"]}}}};
  if (api.spec->contains("quota"))
    properties["Quota"] = {{"Limit", api["quota"]["limit"]}, {"Period", api["quota"]["period"]}};
  r.resource(plan, {{"Type", "AWS::ApiGateway::UsagePlan"}, {"Properties", properties}},
             api.pointer + "/auth");
  r.resource(api.id("api-usage-plan-key"),
             {{"Type", "AWS::ApiGateway::UsagePlanKey"},
              {"Properties", {{"KeyId", cfn::ref(key)},
                              {"KeyType", "API_KEY"},
                              {"UsagePlanId", cfn::ref(plan)}}}},
             api.pointer + "/auth");
  r.output(key, cfn::ref(key), "The API key id of api " + api.name + " (its value: "
           "aws apigateway get-api-key --include-value --api-key <id>)", api.pointer);
}

void render_domain(Renderer& r, const Component& api, const std::string& stage) {
  std::string at = api.pointer + "/domain";
  std::string name = api.id("api-domain-name"), certificate = api.id("api-certificate-arn"),
              zone = api.id("api-hosted-zone-id"), domain = api.id("api-domain");
  json name_parameter = {{"Type", "String"}, {"Description", "The custom domain of api " + api.name}};
  if (api["domain"].contains("name")) name_parameter["Default"] = api["domain"]["name"];
  r.parameter(name, name_parameter, at);
  r.parameter(certificate,
              {{"Type", "String"},
               {"Description", "The ACM certificate ARN for the domain of api " + api.name}},
              at);
  r.parameter(zone,
              {{"Type", "AWS::Route53::HostedZone::Id"},
               {"Description", "The Route 53 hosted zone of the domain of api " + api.name}},
              at);
  r.resource(domain,
             {{"Type", "AWS::ApiGateway::DomainName"},
              {"Properties", {{"DomainName", cfn::ref(name)},
                              {"RegionalCertificateArn", cfn::ref(certificate)},
                              {"EndpointConfiguration", {{"Types", {"REGIONAL"}}}},
                              {"SecurityPolicy", "TLS_1_2"}}}},
             at);
  r.resource(api.id("api-base-path-mapping"),
             {{"Type", "AWS::ApiGateway::BasePathMapping"},
              {"Properties", {{"DomainName", cfn::ref(domain)},
                              {"RestApiId", cfn::ref(api.id())},
                              {"Stage", cfn::ref(stage)}}}},
             at);
  r.resource(api.id("api-domain-record"),
             {{"Type", "AWS::Route53::RecordSet"},
              {"Properties",
               {{"HostedZoneId", cfn::ref(zone)},
                {"Name", cfn::ref(name)},
                {"Type", "A"},
                {"AliasTarget", {{"DNSName", cfn::get_att(domain, "RegionalDomainName")},
                                 {"HostedZoneId", cfn::get_att(domain, "RegionalHostedZoneId")}}}}}},
             at);
  r.output(api.id("api-domain-url"), cfn::sub("https://${" + name + "}/"),
           "The custom-domain URL of api " + api.name, at);
}

void render(Renderer& r, const Component& api) {
  render_account(r);
  r.resource(api.id(),
             {{"Type", "AWS::ApiGateway::RestApi"},
              {"Properties", {{"Name", r.physical_name(api.name)},
                              {"EndpointConfiguration", {{"Types", {"REGIONAL"}}}}}}},
             api.pointer);
  std::string stage_name = api.string("stage"), stage = api.id("api-stage");
  std::string authorizer = api.id("api-authorizer");
  json shape = json::object();  // every method and model: what a deployment publishes
  auto add = [&](const std::string& id, json resource, const std::string& at) {
    shape[id] = resource;
    r.resource(id, std::move(resource), at);
  };
  if (any_auth(api, "cognito"))
    add(authorizer,
        {{"Type", "AWS::ApiGateway::Authorizer"},
         {"Properties",
          {{"Name", api.name + "-cognito"},
           {"RestApiId", cfn::ref(api.id())},
           {"Type", "COGNITO_USER_POOLS"},
           {"IdentitySource", "method.request.header.Authorization"},
           {"ProviderARNs", {cfn::get_att(logical_id(api.string("userpool"), "userpool"), "Arn")}}}}},
        api.pointer + "/userpool");
  std::map<std::string, std::string> allowed;  // resource id → "GET,POST"
  bool validates_parameters = false, validates_body = false;
  const json& endpoints = api["endpoints"];
  // The methods' ARNs, which their invoke permissions name: this stage's, then "/GET/users".
  const std::string stage_arn =
      "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + api.id() + "}/" +
      stage_name;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const json& endpoint = endpoints[i];
    std::string at = api.pointer + "/endpoints/" + std::to_string(i);
    auto segments = split_path(endpoint["path"]);
    for (size_t n = 1; n <= segments.size(); ++n) {
      std::string id = resource_id(api, segments, n);
      if (r.has(id)) continue;
      json parent = n == 1 ? cfn::get_att(api.id(), "RootResourceId")
                           : cfn::ref(resource_id(api, segments, n - 1));
      add(id,
          {{"Type", "AWS::ApiGateway::Resource"},
           {"Properties", {{"RestApiId", cfn::ref(api.id())},
                           {"ParentId", parent},
                           {"PathPart", segments[n - 1]}}}},
          at);
    }
    std::string resource = resource_id(api, segments, segments.size());
    std::string method = endpoint["method"], action = endpoint["action"];
    std::string& methods_here = allowed[resource];
    methods_here += (methods_here.empty() ? "" : ",") + method;
    json request_parameters = json::object();
    for (const auto& segment : segments)
      if (segment.front() == '{')
        request_parameters["method.request.path." + segment.substr(1, segment.size() - 2)] = true;
    for (const auto& name : endpoint["parameters"])
      request_parameters["method.request.querystring." + name.get<std::string>()] = true;
    std::string id = method_id(api, endpoint), auth = auth_of(api, endpoint);
    json properties = {
        {"RestApiId", cfn::ref(api.id())},
        {"ResourceId", cfn::ref(resource)},
        {"HttpMethod", method},
        {"AuthorizationType", auth == "cognito" ? "COGNITO_USER_POOLS" : "NONE"},
        {"Integration",
         {{"Type", "AWS_PROXY"},
          {"IntegrationHttpMethod", "POST"},
          {"Uri", cfn::sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/"
                           "2015-03-31/functions/${" + function_id(action) + ".Arn}/invocations")}}}};
    if (auth == "cognito") properties["AuthorizerId"] = cfn::ref(authorizer);
    if (auth == "api-key") properties["ApiKeyRequired"] = true;
    if (!request_parameters.empty()) properties["RequestParameters"] = request_parameters;
    if (!endpoint["parameters"].empty()) {
      properties["RequestValidatorId"] = cfn::ref(api.id("api-parameters-validator"));
      validates_parameters = true;
    }
    if (endpoint.contains("schema")) {
      std::string model = id.substr(0, id.size() - 6) + "Model";
      Diagnostics unused;  // reported by validate
      add(model,
          {{"Type", "AWS::ApiGateway::Model"},
           {"Properties", {{"RestApiId", cfn::ref(api.id())},
                           {"ContentType", "application/json"},
                           {"Schema", to_draft4(endpoint["schema"], at + "/schema", unused)}}}},
          at + "/schema");
      properties["RequestModels"] = {{"application/json", cfn::ref(model)}};
      properties["RequestValidatorId"] = cfn::ref(api.id("api-body-validator"));
      validates_body = true;
    }
    add(id, {{"Type", "AWS::ApiGateway::Method"}, {"Properties", properties}}, at);
    std::string route = "/" + method + "/";
    for (const auto& segment : segments)
      route += (segment.front() == '{' ? std::string("*") : segment) + "/";
    route.pop_back();
    r.resource(id + "Permission",
               invoke_permission(action, "apigateway.amazonaws.com",
                                 cfn::sub(stage_arn + route)),
               at);
  }
  for (const auto& [resource, verbs] : allowed)
    add(resource.substr(0, resource.size() - 8) + "OptionsMethod",
        cors_method(api, resource, verbs), api.pointer + "/cors");
  // Errors API Gateway answers itself carry CORS headers too, or browsers report CORS failures.
  for (const char* type : {"DEFAULT_4XX", "DEFAULT_5XX"})
    add(api.id(std::string("api-") + (type[8] == '4' ? "4xx" : "5xx") + "-response"),
        {{"Type", "AWS::ApiGateway::GatewayResponse"},
         {"Properties", {{"RestApiId", cfn::ref(api.id())},
                         {"ResponseType", type},
                         {"ResponseParameters",
                          cors_values(api, "gatewayresponse.header.", "DELETE,GET,OPTIONS,PATCH,POST,PUT")}}}},
        api.pointer + "/cors");
  auto validator = [&](const char* suffix, bool parameters) {
    add(api.id(suffix),
        {{"Type", "AWS::ApiGateway::RequestValidator"},
         {"Properties", {{"RestApiId", cfn::ref(api.id())},
                         {"ValidateRequestParameters", parameters},
                         {"ValidateRequestBody", !parameters}}}},
        api.pointer);
  };
  if (validates_parameters) validator("api-parameters-validator", true);
  if (validates_body) validator("api-body-validator", false);
  if (allowed.empty()) return;  // API Gateway refuses to deploy an API without methods

  std::string deployment = deployment_id(api, shape);
  json depends_on = json::array();
  for (const auto& [id, resource] : shape.items())
    if (resource["Type"] == "AWS::ApiGateway::Method") depends_on.push_back(id);
  r.resource(deployment,
             {{"Type", "AWS::ApiGateway::Deployment"},
              {"DependsOn", depends_on},
              {"Properties", {{"RestApiId", cfn::ref(api.id())},
                              {"Description", "pareto " + r.model().app + " " + api.name}}}},
             api.pointer);
  std::string log_group = api.id("api-access-log-group");
  render_log_group(r, log_group,
                   "/aws/apigateway/" + r.physical_name(api.name)["Fn::Sub"].get<std::string>(),
                   api.pointer);
  json access_format = {{"requestId", "$context.requestId"}, {"ip", "$context.identity.sourceIp"},
                        {"time", "$context.requestTime"}, {"method", "$context.httpMethod"},
                        {"path", "$context.resourcePath"}, {"status", "$context.status"},
                        {"latency", "$context.responseLatency"},
                        {"error", "$context.error.message"}};
  r.resource(stage,
             {{"Type", "AWS::ApiGateway::Stage"},
              {"DependsOn", std::string(kAccount)},
              {"Properties",
               {{"RestApiId", cfn::ref(api.id())},
                {"DeploymentId", cfn::ref(deployment)},
                {"StageName", stage_name},
                {"TracingEnabled", api["tracing"]},
                {"AccessLogSetting", {{"DestinationArn", cfn::get_att(log_group, "Arn")},
                                      {"Format", access_format.dump()}}},
                {"MethodSettings", {{{"ResourcePath", "/*"},
                                     {"HttpMethod", "*"},
                                     {"MetricsEnabled", api["metrics"]},
                                     {"ThrottlingRateLimit", api["throttling"]["rate"]},
                                     {"ThrottlingBurstLimit", api["throttling"]["burst"]}}}}}}},
             api.pointer);
  std::string api_name = r.model().app + "-${StageName}-" + api.name;
  r.charts({"api " + api.name, "kinds/api/charts.json", {{"name", api_name}, {"stage", stage_name}}});
  alarm(r, api.id("api-server-errors-alarm"), "5XX answers of API " + api.name,
        {{"Namespace", "AWS/ApiGateway"},
         {"MetricName", "5XXError"},
         {"Dimensions", {{{"Name", "ApiName"}, {"Value", cfn::sub(api_name)}},
                         {{"Name", "Stage"}, {"Value", stage_name}}}},
         {"Statistic", "Average"}},  // the share of requests, 0 to 1
        "api-5xx", 0.01, api.pointer);
  if (any_auth(api, "api-key")) render_api_key(r, api, stage);
  if (api.spec->contains("domain")) render_domain(r, api, stage);
  r.output(api.id("api-url"),
           cfn::sub("https://${" + api.id() + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" +
                    stage_name + "/"),
           "The URL of api " + api.name, api.pointer);
  r.output(api.id("api-id"), cfn::ref(api.id()), "The REST API id of api " + api.name,
           api.pointer);
  r.output(stage, cfn::ref(stage), "The stage name of api " + api.name, api.pointer);
}

}  // namespace

extern const Kind kApiKind{.key = "apis", .noun = "api", .suffix = "api", .service = "execute-api",
                           .check = validate, .render = render};

}  // namespace pareto
