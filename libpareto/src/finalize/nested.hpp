// Beyond one stack: a template past CloudFormation's quotas becomes a parent stack and nested
// stacks (AWS::CloudFormation::Stack), whole components to a stack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.hpp"
#include "render/template.hpp"

namespace pareto {

struct NestedStack {
  std::string name;           // its logical id in the parent: "Stack01"
  std::string key;            // where deploys upload it in the artifacts bucket
  std::string template_json;  // as Template::dump writes it
};

struct Stacks {
  std::string parent_json;
  std::vector<NestedStack> nested;  // empty when the app fits one stack
};

// The quotas of one stack that a template of `bytes` bytes breaks, as messages; none: it fits.
std::vector<std::string> over_quotas(const Template& t, size_t bytes);

// Splits a finalized template. Components that reference each other in a cycle stay together;
// stacks are filled in dependency order, so nested stacks only read earlier ones' outputs
// (passed through the parent as parameters). A component group too big for one stack, or a
// parent past the quotas, is an error.
Stacks split_stacks(Template t, std::string_view app, Diagnostics& errors);

}  // namespace pareto
