#include "finalize/overrides.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "names.hpp"

namespace pareto {
using nlohmann::json;

void apply_overrides(Template& t, const json& overrides, Diagnostics& errors) {
  if (!overrides.is_object() || overrides.empty()) return;
  std::vector<std::string> ids;
  for (const auto& [id, _] : t.resources.items()) ids.push_back(id);
  json applied = json::array();
  for (const auto& [id, patch] : overrides.items()) {
    std::string at = "/overrides/" + pointer_escape(id);
    if (!t.resources.contains(id)) {
      std::string hint = nearest(id, ids);
      report(errors, at, check::kUnresolved,
             fmt::format("the template has no resource {} to override{}", id,
                         hint.empty() ? " (pareto synth lists its logical ids)"
                                      : fmt::format("; did you mean \"{}\"?", hint)));
      continue;
    }
    json& resource = t.resources[id];
    // Data is kept by the retain setting, which the deploy's guards read: not loosened here.
    if (resource.value("DeletionPolicy", "") == "Retain") {
      bool loosened = false;
      for (const char* policy : {"DeletionPolicy", "UpdateReplacePolicy"})
        if (patch.contains(policy) && patch[policy] != "Retain") {
          loosened = true;
          report(errors, at + "/" + policy, check::kCombination,
                 fmt::format("{} keeps its data when it leaves the stack (retain): {} {} "
                             "would lose it; set retain: false on its component or stage "
                             "instead", id, policy, patch[policy].dump()));
        }
      if (loosened) continue;
    }
    for (const auto& [key, value] : patch.items()) {
      if (key == "Properties") {
        resource["Properties"].merge_patch(value);
      } else if (value.is_null()) {
        resource.erase(key);
      } else {
        resource[key] = value;
      }
    }
    applied.push_back(id);
  }
  if (!applied.empty()) t.metadata["pareto"]["overrides"] = std::move(applied);
}

}  // namespace pareto
