#include "render/draft4.hpp"

#include <fmt/format.h>

#include <set>

#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

const std::set<std::string> kUnsupported{
    "if", "then", "else", "contains", "propertyNames", "dependentRequired", "dependentSchemas",
    "unevaluatedProperties", "unevaluatedItems", "prefixItems", "minContains", "maxContains",
    "contentMediaType", "contentEncoding", "contentSchema", "$anchor", "$dynamicRef",
    "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "$vocabulary"};
const std::set<std::string> kAnnotations{"$schema", "$id", "$comment", "examples", "readOnly",
                                         "writeOnly", "deprecated"};
// Keywords whose value is a schema, a list of schemas, or a mapping of names to schemas.
const std::set<std::string> kSchema{"additionalProperties", "additionalItems", "not", "items"};
const std::set<std::string> kSchemaList{"allOf", "anyOf", "oneOf", "items"};
const std::set<std::string> kSchemaMap{"properties", "patternProperties", "definitions", "$defs",
                                       "dependencies"};

json convert(const json& schema, const std::string& at, Diagnostics& errors);

json convert_keyword(const std::string& key, const json& value, const std::string& at,
                     Diagnostics& errors) {
  if (kSchemaList.count(key) && value.is_array()) {
    json out = json::array();
    for (size_t i = 0; i < value.size(); ++i)
      out.push_back(convert(value[i], at + "/" + std::to_string(i), errors));
    return out;
  }
  if (kSchemaMap.count(key) && value.is_object()) {
    json out = json::object();
    for (const auto& [name, sub] : value.items())
      out[name] = key == "dependencies" && sub.is_array()
                      ? sub
                      : convert(sub, at + "/" + pointer_escape(name), errors);
    return out;
  }
  if (kSchema.count(key) && (value.is_object() || value.is_boolean()))
    return key == "additionalProperties" && value.is_boolean() ? value
                                                               : convert(value, at, errors);
  return value;
}

json convert(const json& schema, const std::string& at, Diagnostics& errors) {
  if (schema.is_boolean()) return schema.get<bool>() ? json::object() : json{{"not", json::object()}};
  if (!schema.is_object()) {
    report(errors, at, check::kSchema, "a JSON Schema must be a mapping (or true/false)");
    return json::object();
  }
  json out = json::object();
  for (const auto& [key, value] : schema.items()) {
    std::string here = at + "/" + pointer_escape(key);
    if (kUnsupported.count(key)) {
      report(errors, here, check::kSchema,
             fmt::format("API Gateway checks bodies with JSON Schema draft 4, which has no "
                         "\"{}\"; express it another way or check it in the handler", key));
    } else if (kAnnotations.count(key)) {
      continue;
    } else if (key == "const") {
      out["enum"] = json::array({value});
    } else if ((key == "exclusiveMinimum" || key == "exclusiveMaximum") && value.is_number()) {
      std::string bound = key == "exclusiveMinimum" ? "minimum" : "maximum";
      if (schema.contains(bound))
        report(errors, here, check::kSchema,
               fmt::format("draft 4 cannot combine \"{}\" and \"{}\" as numbers", bound, key));
      out[bound] = value;
      out[key] = true;
    } else if (key == "$ref") {
      std::string ref = value.is_string() ? value.get<std::string>() : "";
      if (ref.rfind("#/$defs/", 0) == 0) ref = "#/definitions/" + ref.substr(8);
      if (ref.rfind("#/definitions/", 0) != 0 && ref != "#")
        report(errors, here, check::kSchema,
               "only local references (#/definitions/… or #/$defs/…) can be used in a model");
      out["$ref"] = ref;
    } else {
      out[key == "$defs" ? "definitions" : key] = convert_keyword(key, value, here, errors);
    }
  }
  return out;
}

}  // namespace

json to_draft4(const json& schema, const std::string& pointer, Diagnostics& errors) {
  json out = convert(schema, pointer, errors);
  out["$schema"] = "http://json-schema.org/draft-04/schema#";
  return out;
}

}  // namespace pareto
