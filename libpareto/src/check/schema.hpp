// JSON Schemas for app descriptions: the config schema (schema/pareto.schema.json, compiled in)
// and the entry schemas of custom kinds. Validation with the user's messages, and defaults.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "diagnostic.hpp"

namespace pareto {

class Schema {
 public:
  enum class Draft { four, seven };  // API Gateway's models are draft 4
  // Throws std::exception when valijson cannot read `document` as a schema of that draft.
  explicit Schema(nlohmann::json document, Draft draft = Draft::seven);
  // The config schema of pareto.yaml.
  static const Schema& config();

  const nlohmann::json& document() const { return document_; }
  // Every violation in `value`, one diagnostic each, at `prefix` + its JSON pointer.
  Diagnostics validate(const nlohmann::json& value, const std::string& prefix = "") const;
  // Fills in the schema's defaults for absent keys, wherever `value` has the parent.
  void apply_defaults(nlohmann::json& value) const;

 private:
  struct Compiled;
  nlohmann::json document_;
  std::shared_ptr<const Compiled> compiled_;  // shared by copies: regular and cheap to copy
};

const nlohmann::json& config_schema();

}  // namespace pareto
