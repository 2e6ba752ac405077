// Stages: a stage's settings merged into the app's description before it is checked, and the
// way back from a merged value to the line of the stage that set it.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.hpp"

namespace pareto {

struct Kind;

// Where merged values came from: a pointer into the merged description → the pointer into the
// stages section that set it.
class Provenance {
 public:
  void add(std::string merged, std::string source) { sources_[std::move(merged)] = std::move(source); }
  // Each diagnostic at or under a merged value is moved to the stage's pointer.
  void trace(Diagnostics& diagnostics) const;

 private:
  std::map<std::string, std::string> sources_;
};

struct Staged {
  nlohmann::json document;
  Provenance provenance;
};

// `document` (whose stages section passed the schema) as `stage` sets it: the stage's
// parameters, retain, tags, dashboard, alarms and overrides merged into the app's (RFC 7386),
// and each component it names merged with its patch. A stage the section lacks changes nothing.
// `only_staged`: the components the stage names and nothing else of the kinds' lists, to check
// a stage without the cost of the whole app. Names that match nothing are errors at their path.
Staged apply_stage(const nlohmann::json& document, const std::string& stage,
                   const std::vector<const Kind*>& kinds, bool only_staged, Diagnostics& errors);

}  // namespace pareto
