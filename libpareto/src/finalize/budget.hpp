// What an app uses of the quotas AWS holds it to (`pareto budget`): each use against its limit,
// with the config entry that costs it, least headroom first.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "finalize/nested.hpp"

namespace pareto {

struct QuotaUse {
  std::string quota;    // "resources per stack", "function name length"
  std::string subject;  // what uses it: a stack, a role, a function, a physical name
  size_t used = 0;
  size_t limit = 0;
  std::string entry;    // the config entry that costs it (JSON pointer); "" the whole app
};

// The uses a synthesized app makes: `name_uses` are the physical names the checks measured,
// `origins` the config entry of each logical id.
std::vector<QuotaUse> quota_uses(const std::string& template_json,
                                 const std::vector<NestedStack>& nested,
                                 const std::map<std::string, std::string>& origins,
                                 std::vector<QuotaUse> name_uses);

// [{quota, subject, used, limit, headroom, entry}], least headroom (as a share of the limit)
// first.
nlohmann::json budget_json(const std::vector<QuotaUse>& uses);
// The same as an aligned text table, one use per line.
std::string budget_table(const std::vector<QuotaUse>& uses);

}  // namespace pareto
