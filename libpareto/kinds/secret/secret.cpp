// secrets: a Secrets Manager secret with a generated value; the template never holds it.
#include "components/kind.hpp"

namespace pareto {
using nlohmann::json;

namespace {

void validate(Checker& c, const Component& secret) { c.name_length(secret, "secret", 0, 512); }

void render(Renderer& r, const Component& secret) {
  r.data_resource(secret,
                  {{"Type", "AWS::SecretsManager::Secret"},
              {"Properties",
               {{"Name", r.physical_name(secret.name, "", "/")},
                {"Description", "Secret " + secret.name + " of " + r.model().app},
                {"GenerateSecretString",
                 {{"PasswordLength", secret["length"]}, {"ExcludePunctuation", true}}}}}});
  r.output(secret.id(), cfn::ref(secret.id()), "The ARN of secret " + secret.name, secret.pointer);
}

json variable(const Component& secret) { return cfn::ref(secret.id()); }

std::vector<json> arns(const Component& secret) { return {cfn::ref(secret.id())}; }

}  // namespace

extern const Kind kSecretKind{.key = "secrets", .noun = "secret", .suffix = "secret",
                              .service = "secretsmanager", .check = validate, .render = render,
                              .variable = variable, .arns = arns};

}  // namespace pareto
