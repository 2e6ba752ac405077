#include "check/schema.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <map>
#include <optional>
#include <regex>
#include <set>
#include <tuple>
#include <unordered_map>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_visitor.hpp>

#include "embedded.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

// std::regex recurses once per character; strings longer than any maxLength in the schema are
// cut in the copy that is validated, so patterns only ever see short text.
constexpr size_t kLongestChecked = 1024;

void shorten_strings(json& value) {
  if (value.is_string()) {
    auto& s = value.get_ref<std::string&>();
    if (s.size() > kLongestChecked) s.resize(kLongestChecked);
  } else if (value.is_structured()) {
    for (auto& child : value) shorten_strings(child);
  }
}

// Local refs only ("#/$defs/name"), resolved in `root`; one that leads nowhere governs nothing.
const json& resolve(const json& root, const json& node) {
  static const json kAnything = json::object();
  const json* at = &node;
  for (int hops = 0; at->is_object() && at->contains("$ref"); ++hops) {
    const json& ref = (*at)["$ref"];
    if (hops > 64 || !ref.is_string() || ref.get<std::string>().rfind("#", 0) != 0) return kAnything;
    try {
      at = &root.at(json::json_pointer(ref.get<std::string>().substr(1)));
    } catch (const json::exception&) {
      return kAnything;
    }
  }
  return *at;
}

// The subschema that governs the value at a document pointer; null when none does.
const json* schema_at(const json& root, const json::json_pointer& pointer) {
  const json* at = &resolve(root, root);
  std::vector<std::string> segments;
  for (auto p = pointer; !p.empty(); p = p.parent_pointer()) segments.insert(segments.begin(), p.back());
  for (const std::string& segment : segments) {
    if (!at->is_object()) return nullptr;  // a custom kind's schema may hold "true"
    if (auto p = at->find("properties"); p != at->end() && p->contains(segment))
      at = &resolve(root, (*p)[segment]);
    else if (auto a = at->find("additionalProperties"); a != at->end() && a->is_object())
      at = &resolve(root, *a);
    else if (auto i = at->find("items"); i != at->end())
      at = &resolve(root, *i);
    else
      return nullptr;
  }
  return at->is_object() ? at : nullptr;
}

std::string describe_type(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "a mapping";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    default: return "a number";
  }
}

std::string describe_schema_type(const json& type) {
  static const std::map<std::string, std::string> kNames = {
      {"string", "a string"}, {"integer", "an integer"}, {"number", "a number"},
      {"boolean", "a boolean"}, {"object", "a mapping"}, {"array", "a list"}, {"null", "null"}};
  std::vector<std::string> names;
  for (const auto& t : type.is_array() ? type : json::array({type}))
    names.push_back(kNames.count(t) ? kNames.at(t) : t.get<std::string>());
  return join_names(names);
}

std::string quoted_list(const json& values) {
  std::vector<std::string> items;
  for (const auto& v : values) items.push_back(v.dump());
  return join_names(items);
}

// "'x'." at the end of a valijson message → x
std::string quoted_tail(const std::string& message) {
  size_t end = message.rfind('\'');
  size_t begin = end == std::string::npos ? end : message.rfind('\'', end - 1);
  if (begin == std::string::npos) return {};
  return message.substr(begin + 1, end - begin - 1);
}

std::string to_pointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& part : context) {
    if (part == "<root>" || part.size() < 2) continue;
    pointer += "/" + pointer_escape(part.substr(1, part.size() - 2));  // "[x]" → x
  }
  return pointer;
}

struct Rewritten {
  std::string path;
  std::string_view check;
  std::string message;
};

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// valijson names only the first key additionalProperties rejects: every one is reported here.
std::vector<Rewritten> unknown_keys(const json& root, const json& document,
                                    const std::string& pointer) {
  json::json_pointer at(pointer);
  const json* schema = schema_at(root, at);
  if (!schema || !document.contains(at) || !document.at(at).is_object()) return {};
  std::vector<std::string> known;
  if (schema->contains("properties"))
    for (const auto& [key, _] : (*schema)["properties"].items()) known.push_back(key);
  std::vector<Rewritten> out;
  for (const auto& [key, _] : document.at(at).items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = fmt::format("unknown key \"{}\"", key);
    if (std::string hint = nearest(key, known); !hint.empty())
      message += fmt::format("; did you mean \"{}\"?", hint);
    else if (!known.empty())
      message += fmt::format("; expected one of {}", join_names(known));
    out.push_back({pointer + "/" + pointer_escape(key), check::kUnknownKey, message});
  }
  return out;
}

// valijson's message for one leaf violation → the user's message, from the schema and value.
std::optional<Rewritten> rewrite(const json& root, const json& document,
                                 const std::string& pointer, const std::string& description) {
  json::json_pointer at(pointer);
  const json& value = document.contains(at) ? document.at(at) : json();
  const json* schema = schema_at(root, at);
  const json empty = json::object();
  const json& rule = schema ? *schema : empty;
  if (starts_with(description, "Missing required property")) {
    std::string key = quoted_tail(description);
    return Rewritten{pointer, check::kRequired, fmt::format("missing required key \"{}\"", key)};
  }
  if (starts_with(description, "Failed to match against any enum values")) {
    return Rewritten{pointer, check::kEnum,
                     fmt::format("{} is not one of {}", value.dump(),
                                 quoted_list(rule.value("enum", json::array())))};
  }
  if (starts_with(description, "Value type not permitted")) {
    return Rewritten{pointer, check::kType,
                     fmt::format("expected {}, got {}",
                                 describe_schema_type(rule.value("type", json("object"))),
                                 describe_type(value))};
  }
  if (starts_with(description, "Failed to match regex")) {
    std::string form = rule.value("x-message", std::string());
    if (form.empty()) form = fmt::format("text matching {}", rule.value("pattern", ""));
    std::string shown = value.is_string() && value.get<std::string>().size() <= 64
                            ? value.dump() : std::string("the value");
    return Rewritten{pointer, check::kPattern, fmt::format("{} is not {}", shown, form)};
  }
  if (description.find("length") != std::string::npos && value.is_string()) {
    if (rule.contains("maxLength") && value.get<std::string>().size() > rule["maxLength"])
      return Rewritten{pointer, check::kRange,
                       fmt::format("too long: at most {} characters", rule["maxLength"].dump())};
    return Rewritten{pointer, check::kRange,
                     fmt::format("too short: at least {} characters",
                                 rule.value("minLength", 1))};
  }
  if (value.is_number() && (rule.contains("minimum") || rule.contains("maximum"))) {
    std::string bound = !rule.contains("maximum")
                            ? fmt::format("at least {}", rule["minimum"].dump())
                        : !rule.contains("minimum")
                            ? fmt::format("at most {}", rule["maximum"].dump())
                            : fmt::format("out of range {}..{}", rule["minimum"].dump(),
                                          rule["maximum"].dump());
    return Rewritten{pointer, check::kRange,
                     fmt::format("{} is {}", value.dump(), bound)};
  }
  if (description.find("unique") != std::string::npos)
    return Rewritten{pointer, check::kRange, "items must be unique"};
  if (value.is_array() && rule.contains("minItems") && value.size() < rule["minItems"])
    return Rewritten{pointer, check::kRange,
                     fmt::format("too few items: at least {}", rule["minItems"].dump())};
  if (value.is_array() && rule.contains("maxItems") && value.size() > rule["maxItems"])
    return Rewritten{pointer, check::kRange,
                     fmt::format("too many items: at most {}", rule["maxItems"].dump())};
  if (starts_with(description, "Failed to validate") ||
      description.find("could not be validated") != std::string::npos ||
      description.find("against child schema") != std::string::npos)
    return std::nullopt;  // a container of another violation, reported at its own path
  return Rewritten{pointer, check::kSchema, description};
}

// Every "pattern" of the config schema, compiled once: valijson would compile them again for each
// validation (it caches per Validator), which was most of a load's time.
using RegexCache = std::unordered_map<std::string, std::regex>;
void collect_patterns(const json& schema, RegexCache& out) {
  if (schema.is_object()) {
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string())
      out.emplace(p->get<std::string>(), std::regex(p->get<std::string>()));
    for (const auto& [_, sub] : schema.items()) collect_patterns(sub, out);
  } else if (schema.is_array()) {
    for (const auto& sub : schema) collect_patterns(sub, out);
  }
}

// The keys of each mapping against its propertyNames pattern (which valijson does not check).
void check_property_names(const json& root, const json& value, const json& rule,
                          const std::string& pointer, const RegexCache& patterns,
                          std::vector<Rewritten>& out) {
  if (value.is_object()) {
    const json* properties = rule.contains("properties") ? &rule["properties"] : nullptr;
    const json* names = rule.contains("propertyNames") ? &resolve(root, rule["propertyNames"]) : nullptr;
    for (const auto& [key, child] : value.items()) {
      std::string at = pointer + "/" + pointer_escape(key);
      if (names && names->contains("pattern")) {
        auto regex = patterns.find((*names)["pattern"].get<std::string>());
        if (regex != patterns.end() && !std::regex_search(key, regex->second)) {
          std::string form = names->value("x-message", "text matching " + (*names)["pattern"].get<std::string>());
          out.push_back({at, check::kPattern,
                         fmt::format("the key {} is not {}", key.size() <= 64 ? json(key).dump() : "here", form)});
        }
      }
      if (properties && properties->contains(key))
        check_property_names(root, child, resolve(root, (*properties)[key]), at, patterns, out);
      else if (rule.contains("additionalProperties") && rule["additionalProperties"].is_object())
        check_property_names(root, child, resolve(root, rule["additionalProperties"]), at, patterns, out);
    }
  } else if (value.is_array() && rule.is_object() && rule.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i)
      check_property_names(root, value[i], resolve(root, rule["items"]),
                           pointer + "/" + std::to_string(i), patterns, out);
  }
}

// `cors: true`, for an option that takes true or an object of settings none of which it requires:
// that object, defaults filled (false stays false: off).
bool turned_on(const json& value, const json& rule) {
  if (!value.is_boolean() || !value.get<bool>() || !rule.contains("properties") ||
      rule.contains("required"))
    return false;
  const json types = rule.value("type", json::array());
  return types.is_array() && std::find(types.begin(), types.end(), "object") != types.end();
}

void fill_defaults(const json& root, json& value, const json& rule) {
  if (turned_on(value, rule)) value = json::object();
  if (value.is_object()) {
    const json* properties = rule.contains("properties") ? &rule["properties"] : nullptr;
    if (properties)
      for (const auto& [key, sub] : properties->items()) {
        const json& resolved = resolve(root, sub);
        if (!value.contains(key) && resolved.is_object() && resolved.contains("default"))
          value[key] = resolved["default"];
      }
    for (auto& [key, child] : value.items()) {
      if (properties && properties->contains(key))
        fill_defaults(root, child, resolve(root, (*properties)[key]));
      else if (rule.contains("additionalProperties") && rule["additionalProperties"].is_object())
        fill_defaults(root, child, resolve(root, rule["additionalProperties"]));
    }
  } else if (value.is_array() && rule.is_object() && rule.contains("items")) {
    for (auto& child : value) fill_defaults(root, child, resolve(root, rule["items"]));
  }
}

}  // namespace

struct Schema::Compiled {
  valijson::Schema schema;
  RegexCache patterns;
};

Schema::Schema(json document, Draft draft) : document_(std::move(document)) {
  auto compiled = std::make_shared<Compiled>();
  valijson::SchemaParser parser(draft == Draft::four ? valijson::SchemaParser::kDraft4
                                                     : valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(document_);
  parser.populateSchema(adapter, compiled->schema);
  collect_patterns(document_, compiled->patterns);
  compiled_ = std::move(compiled);
}

Diagnostics Schema::validate(const json& value, const std::string& prefix) const {
  json checked = value;
  shorten_strings(checked);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(checked);
  RegexCache cache = compiled_->patterns;  // copies share the compiled automata
  valijson::ValidationVisitor<valijson::adapters::NlohmannJsonAdapter> visitor(
      target, {"<root>"}, /*strictTypes=*/true, &results, cache);
  Diagnostics out;
  std::vector<Rewritten> keys;
  check_property_names(document_, checked, resolve(document_, document_), "", compiled_->patterns, keys);
  for (auto& each : keys) report(out, prefix + each.path, each.check, std::move(each.message));
  if (visitor.validateSchema(compiled_->schema)) return out;
  valijson::ValidationResults::Error error;
  std::set<std::tuple<std::string, std::string>> seen;
  while (results.popError(error)) {
    std::string pointer = to_pointer(error.context);
    std::vector<Rewritten> found;
    if (starts_with(error.description, "Object contains a property that could not be validated"))
      found = unknown_keys(document_, checked, pointer);
    else if (auto rewritten = rewrite(document_, checked, pointer, error.description))
      found.push_back(std::move(*rewritten));
    for (auto& each : found)
      if (seen.emplace(each.path, each.message).second)
        report(out, prefix + each.path, each.check, std::move(each.message));
  }
  return out;
}

void Schema::apply_defaults(json& value) const {
  fill_defaults(document_, value, resolve(document_, document_));
}

const Schema& Schema::config() {
  static const Schema schema(json::parse(embedded("schema/pareto.schema.json")));
  return schema;
}

const json& config_schema() { return Schema::config().document(); }

}  // namespace pareto
