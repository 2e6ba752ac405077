// The event rules of a synthesized template, as they would be deployed to one stage: the
// patterns `pareto match --rules` checks an event against.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pareto::pattern {

// {"rules": {logical id: pattern}, "skipped": {logical id: why}} for every AWS::Events::Rule
// with an EventPattern. Parameters take their defaults (StageName: `stage`), pseudo parameters
// stand-in values (region us-east-1, account 123456789012); a pattern that needs a value only a
// deployment knows (an attribute of a resource) is skipped, with the reason.
nlohmann::json template_rules(const nlohmann::json& cloudformation, const std::string& stack,
                              const std::string& stage);

}  // namespace pareto::pattern
