// userpools: a Cognito user pool signing in by email, with an admin and a web client.
#include "components/kind.hpp"

namespace pareto {
using nlohmann::json;

namespace {

void validate(Checker& c, const Component& pool) { c.name_length(pool, "user pool", 0, 128); }

json client(Renderer& r, const Component& pool, std::string_view which, json flows) {
  return {{"Type", "AWS::Cognito::UserPoolClient"},
          {"Properties",
           {{"ClientName", r.physical_name(pool.name, "-" + std::string(which))},
            {"UserPoolId", cfn::ref(pool.id())},
            {"GenerateSecret", false},
            {"ExplicitAuthFlows", std::move(flows)},
            {"PreventUserExistenceErrors", "ENABLED"}}}};
}

void render(Renderer& r, const Component& pool) {
  json password = {{"MinimumLength", 12}, {"RequireLowercase", true}, {"RequireNumbers", true},
                   {"RequireSymbols", false}, {"RequireUppercase", true}};
  json properties = {
      {"UserPoolName", r.physical_name(pool.name)},
      {"UsernameAttributes", {"email"}},
      {"AutoVerifiedAttributes", {"email"}},
      {"Policies", {{"PasswordPolicy", password}}},
      {"AccountRecoverySetting",
       {{"RecoveryMechanisms", {{{"Name", "verified_email"}, {"Priority", 1}}}}}}};
  if (r.retains(pool)) properties["DeletionProtection"] = "ACTIVE";
  r.data_resource(pool, {{"Type", "AWS::Cognito::UserPool"}, {"Properties", properties}});
  std::string admin = pool.id("userpool-admin-client"), web = pool.id("userpool-web-client");
  r.resource(admin,
             client(r, pool, "admin",
                    {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
             pool.pointer);
  r.resource(web, client(r, pool, "web", {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
             pool.pointer);
  r.output(pool.id(), cfn::ref(pool.id()), "The id of user pool " + pool.name, pool.pointer);
  r.output(admin, cfn::ref(admin), "The admin client id of user pool " + pool.name, pool.pointer);
  r.output(web, cfn::ref(web), "The web client id of user pool " + pool.name, pool.pointer);
}

json variable(const Component& pool) { return cfn::ref(pool.id()); }

std::vector<json> arns(const Component& pool) { return {cfn::get_att(pool.id(), "Arn")}; }

// Cognito's API calls reach EventBridge through CloudTrail, naming the pool in the request.
json event_source(const Component& pool) {
  return {{"source", {"aws.cognito-idp"}},
          {"detail-type", {"AWS API Call via CloudTrail"}},
          {"detail", {{"requestParameters", {{"userPoolId", {cfn::ref(pool.id())}}}}}}};
}

}  // namespace

extern const Kind kUserpoolKind{.key = "userpools", .noun = "user pool", .suffix = "userpool",
                                .service = "cognito-idp", .check = validate, .render = render,
                                .variable = variable, .arns = arns, .event_source = event_source};

}  // namespace pareto
