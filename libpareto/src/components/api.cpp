// apis: an API Gateway REST API whose endpoints invoke actions, with request validation and
// CORS preflight, deployed to one stage.
#include <fmt/format.h>

#include "components/action.hpp"
#include "names.hpp"

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

void validate(Checker& c, const Component& api) {
  c.name_length(api, "API", 0, 1024);
  std::map<std::string, std::string> seen;  // "GET users/{id}" → pointer
  const json& endpoints = api["endpoints"];
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const json& endpoint = endpoints[i];
    std::string at = api.pointer + "/endpoints/" + std::to_string(i);
    std::string method = endpoint["method"], path = endpoint["path"];
    std::string route = method + " /" + path;
    if (auto [it, inserted] = seen.try_emplace(route, at); !inserted)
      c.error(at, check::kDuplicateName, route + " is already served by " + it->second);
    bool has_schema = endpoint.contains("schema"), has_parameters = !endpoint["parameters"].empty();
    if (has_schema && (method == "GET" || method == "DELETE"))
      c.error(at + "/schema", check::kCombination,
              method + " requests have no body to check; use \"parameters\"");
    if (has_schema && has_parameters)
      c.error(at, check::kCombination, "give \"parameters\" or a body \"schema\", not both");
    std::string action = endpoint["action"];
    if (c.require("actions", action, at + "/action"))
      c.bind(action, at + "/action", "endpoint " + route + " of api " + api.name);
  }
}

json cors_method(const Component& api, const std::string& resource, const std::string& methods) {
  const std::string header = "method.response.header.Access-Control-Allow-";
  json values = {{header + "Headers", "'Authorization,Content-Type,X-Api-Key'"},
                 {header + "Methods", "'" + methods + ",OPTIONS'"},
                 {header + "Origin", "'*'"}};
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

// A deployment snapshots the methods; its id changes with them so that updates redeploy.
std::string deployment_id(const Component& api, const json& methods) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : methods.dump()) hash = (hash ^ c) * 1099511628211ull;
  return fmt::format("{}Deployment{:08X}", api.id(), static_cast<uint32_t>(hash >> 32));
}

void render(Renderer& r, const Component& api) {
  r.resource(api.id(),
             {{"Type", "AWS::ApiGateway::RestApi"},
              {"Properties", {{"Name", r.physical_name(api.name)},
                              {"EndpointConfiguration", {{"Types", {"REGIONAL"}}}}}}},
             api.pointer);
  std::map<std::string, std::string> allowed;  // resource id → "GET,POST"
  json methods = json::object();
  bool validates_parameters = false, validates_body = false;
  const json& endpoints = api["endpoints"];
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const json& endpoint = endpoints[i];
    std::string at = api.pointer + "/endpoints/" + std::to_string(i);
    auto segments = split_path(endpoint["path"]);
    for (size_t n = 1; n <= segments.size(); ++n) {
      std::string id = resource_id(api, segments, n);
      if (r.has(id)) continue;
      json parent = n == 1 ? cfn::get_att(api.id(), "RootResourceId")
                           : cfn::ref(resource_id(api, segments, n - 1));
      r.resource(id,
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
    std::string id = method_id(api, endpoint);
    json properties = {
        {"RestApiId", cfn::ref(api.id())},
        {"ResourceId", cfn::ref(resource)},
        {"HttpMethod", method},
        {"AuthorizationType", "NONE"},
        {"Integration",
         {{"Type", "AWS_PROXY"},
          {"IntegrationHttpMethod", "POST"},
          {"Uri", cfn::sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                      "functions/${" + function_id(action) + ".Arn}/invocations")}}}};
    if (!request_parameters.empty()) properties["RequestParameters"] = request_parameters;
    if (!endpoint["parameters"].empty()) {
      properties["RequestValidatorId"] = cfn::ref(api.id("api-parameters-validator"));
      validates_parameters = true;
    }
    if (endpoint.contains("schema")) {
      std::string model = id.substr(0, id.size() - 6) + "Model";
      json schema = endpoint["schema"];
      schema["$schema"] = "http://json-schema.org/draft-04/schema#";
      r.resource(model,
                 {{"Type", "AWS::ApiGateway::Model"},
                  {"Properties", {{"RestApiId", cfn::ref(api.id())},
                                  {"ContentType", "application/json"},
                                  {"Schema", schema}}}},
                 at + "/schema");
      properties["RequestModels"] = {{"application/json", cfn::ref(model)}};
      properties["RequestValidatorId"] = cfn::ref(api.id("api-body-validator"));
      validates_body = true;
    }
    methods[id] = {{"Type", "AWS::ApiGateway::Method"}, {"Properties", properties}};
    r.resource(id, methods[id], at);
    std::string route = "/" + method + "/";
    for (const auto& segment : segments)
      route += (segment.front() == '{' ? std::string("*") : segment) + "/";
    route.pop_back();
    r.resource(id + "Permission",
               invoke_permission(action, "apigateway.amazonaws.com",
                                 cfn::sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                                     "${AWS::AccountId}:${" + api.id() + "}/*" + route)),
               at);
  }
  for (const auto& [resource, verbs] : allowed) {
    std::string id = resource.substr(0, resource.size() - 8) + "OptionsMethod";
    methods[id] = cors_method(api, resource, verbs);
    r.resource(id, methods[id], api.pointer + "/endpoints");
  }
  auto validator = [&](const char* suffix, bool parameters) {
    r.resource(api.id(suffix),
               {{"Type", "AWS::ApiGateway::RequestValidator"},
                {"Properties", {{"RestApiId", cfn::ref(api.id())},
                                {"ValidateRequestParameters", parameters},
                                {"ValidateRequestBody", !parameters}}}},
               api.pointer);
  };
  if (validates_parameters) validator("api-parameters-validator", true);
  if (validates_body) validator("api-body-validator", false);
  if (methods.empty()) return;  // API Gateway refuses to deploy an API without methods
  std::string deployment = deployment_id(api, methods);
  json depends_on = json::array();
  for (const auto& [id, _] : methods.items()) depends_on.push_back(id);
  r.resource(deployment,
             {{"Type", "AWS::ApiGateway::Deployment"},
              {"DependsOn", depends_on},
              {"Properties", {{"RestApiId", cfn::ref(api.id())},
                              {"Description", "pareto " + r.model().app + " " + api.name}}}},
             api.pointer);
  std::string stage = api.string("stage");
  r.resource(api.id("api-stage"),
             {{"Type", "AWS::ApiGateway::Stage"},
              {"Properties", {{"RestApiId", cfn::ref(api.id())},
                              {"DeploymentId", cfn::ref(deployment)},
                              {"StageName", stage}}}},
             api.pointer);
  r.output(api.id("api-url"),
           cfn::sub("https://${" + api.id() + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" +
               stage + "/"),
           "The URL of api " + api.name, api.pointer);
}

}  // namespace

extern const Kind kApiKind{"apis", "api", "api", "execute-api", validate, render, nullptr, nullptr};

}  // namespace pareto
