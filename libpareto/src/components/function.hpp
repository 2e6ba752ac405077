// A Lambda function with its own role and log group: what actions and the inline helper
// functions (table routers, timer tickers, the error handler) have in common.
#pragma once

#include "components/kind.hpp"

namespace pareto {

struct Function {
  std::string name;    // "hello-get", "users-router": physical name and logical ids derive from it
  std::string origin;  // the config entry that makes it
  nlohmann::json code;  // {"S3Bucket", "S3Key"} or {"ZipFile"}
  std::string handler = "index.handler";
  nlohmann::json runtime;
  nlohmann::json memory;
  nlohmann::json timeout;
  nlohmann::json variables = nlohmann::json::object();
  nlohmann::json layers = nlohmann::json::array();
  nlohmann::json settings = nlohmann::json::object();  // more properties: Architectures, Tags, ...
  std::vector<Grant> grants;  // beyond writing its own logs
  // AWS managed policies for what takes no resource-level permissions (X-Ray's writes).
  nlohmann::json aws_policies = nlohmann::json::array();
  bool named_role = true;     // false: CloudFormation names the role (helpers need no stable name)
};

// The helpers do little work per invocation: time for a few retried AWS calls.
inline constexpr int kHelperTimeout = 30;

// The inline helper function `name` whose source is the embedded file `source`
// ("kinds/table/router.py"), on the app's Python runtime.
Function helper_function(std::string name, std::string_view source, std::string origin);

// Renders the function, its log group and its role; returns the function's logical id.
std::string render_function(Renderer& r, const Function& f);

// Lets a function consume an SQS queue: the event source mapping `mapping` (partial batch
// failures reported, so one bad message does not return the batch) and the grant its role needs;
// `window` seconds to gather a batch (0: none).
Grant consume_queue(Renderer& r, const std::string& mapping, const nlohmann::json& queue_arn,
                    const std::string& function, nlohmann::json batch_size,
                    const std::string& origin, int window = 0);

// A role `principal` (a service: "codebuild.amazonaws.com") assumes, with the grants' statements
// inline and, past IAM's inline limit, in managed policies; returns their logical ids. `name`
// null: CloudFormation names it. `aws_policies`: AWS managed policies (ARNs) it has as well, which
// count toward a role's managed policies.
nlohmann::json render_role(Renderer& r, const std::string& id, nlohmann::json name,
                           std::string_view principal, const std::vector<Grant>& grants,
                           const std::string& origin,
                           const nlohmann::json& aws_policies = nlohmann::json::array());

// A log group `name` ("/aws/lambda/<physical name>"), kept LogRetentionDays.
void render_log_group(Renderer& r, const std::string& id, std::string name,
                      const std::string& origin);

// {"Fn::Sub": "arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<rest>"}
nlohmann::json arn(std::string_view service, std::string_view rest);

}  // namespace pareto
