// Beyond one stack: a template past CloudFormation's quotas becomes a parent stack and nested
// stacks (AWS::CloudFormation::Stack), whole components to a stack.
#pragma once

#include <map>
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

// Where each deployed resource is: logical id → the nested stack that holds it ("Stack03"), or
// "" for the parent (the one stack of an app that fitted one).
using Placement = std::map<std::string, std::string>;

// The stacks of a finalized template: the template itself when it fits one stack and nothing
// deployed is nested; else a parent and nested stacks, whole components to a stack. Components
// that reference each other in a cycle stay together. What `deployed` places stays where it is
// (a resource moved between stacks would be deleted in one and made again in the other); new
// components fill the deployed stacks with room, then new ones. Stacks never read each other in
// a cycle (values pass through the parent as parameters). A component group too big for one
// stack, a deployed stack that can no longer hold what it has, or a parent past the quotas is
// an error.
Stacks stack_up(const Template& t, std::string_view app, const Placement& deployed,
                Diagnostics& errors);

}  // namespace pareto
