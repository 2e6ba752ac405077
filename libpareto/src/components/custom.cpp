#include "components/custom.hpp"

#include <fmt/format.h>

#include <set>

#include "embedded.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

const Schema& definition_schema() {
  static const Schema schema(json::parse(embedded("schema/kind.schema.json")));
  return schema;
}

const Schema& reply_schema() {
  static const Schema schema(json::parse(embedded("schema/kind-reply.schema.json")));
  return schema;
}

// Errors name the kind: `stream "clicks" (custom kind "streams")`.
std::string describe(const Component& c) {
  return fmt::format("{} \"{}\" (custom kind \"{}\")", c.kind->noun, c.name, c.kind->key);
}

// The component names a reference field holds (a name or a list of them), with their pointers.
std::vector<std::pair<std::string, std::string>> named(const Component& c, const std::string& field) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!c.spec->contains(field)) return out;
  const json& value = (*c.spec)[field];
  std::string at = c.pointer + "/" + pointer_escape(field);
  if (value.is_string()) out.emplace_back(value, at);
  if (value.is_array())
    for (size_t i = 0; i < value.size(); ++i)
      if (value[i].is_string()) out.emplace_back(value[i], at + "/" + std::to_string(i));
  return out;
}

void validate(Checker& checker, const Component& c) {
  if (size_t limit = c.kind->custom->name_limit) checker.name_length(c, c.kind->noun, 0, limit);
  for (const auto& [field, key] : c.kind->custom->references) {
    const json* value = c.spec->contains(field) ? &(*c.spec)[field] : nullptr;
    bool names = !value || value->is_string() ||
                 (value->is_array() && std::all_of(value->begin(), value->end(),
                                                   [](const json& v) { return v.is_string(); }));
    if (!names)
      checker.error(c.pointer + "/" + pointer_escape(field), check::kType,
                    fmt::format("{}: \"{}\" names {}: expected a name or a list of names",
                                describe(c), field, key));
    for (const auto& [name, at] : named(c, field)) checker.require(key, name, at);
  }
}

// Everything the renderer may use: the entry with its defaults, the names pareto gives its
// resources, and what its reference fields name.
json request(const Renderer& r, const Component& c) {
  json references = json::object();
  for (const auto& [field, key] : c.kind->custom->references) {
    json& list = references[field] = json::array();
    for (const auto& [name, _] : named(c, field)) {
      const Component* target = r.model().find(key, name);
      json arns = target->kind->arns ? json(target->kind->arns(*target)) : json::array();
      list.push_back({{"kind", key}, {"name", name}, {"id", target->id()}, {"arns", arns}});
    }
  }
  return {{"app", r.model().app},       {"kind", c.kind->key},
          {"name", c.name},             {"pointer", c.pointer},
          {"id", c.id()},               {"physical_name", r.physical_name(c.name)},
          {"entry", *c.spec},           {"references", references}};
}

void apply(Renderer& r, const Component& c, const json& reply) {
  if (auto it = reply.find("errors"); it != reply.end() && !it->empty()) {
    for (const auto& e : *it)
      r.error(c.pointer + e.value("path", ""), check::kKindReported,
              fmt::format("{}: {}", describe(c), e["message"].get<std::string>()));
    return;
  }
  std::set<std::string> actions;  // the actions the entry names: the ones it may grant to
  for (const auto& [field, key] : c.kind->custom->references)
    if (key == "actions")
      for (const auto& [name, _] : named(c, field)) actions.insert(name);
  const json none = json::array();
  auto field = [&](const json& object, const char* key) -> const json& {
    return object.contains(key) ? object[key] : none;
  };
  for (const auto& grant : field(reply, "grants")) {
    std::string action = grant["action"];
    if (!actions.count(action)) {
      r.error(c.pointer, check::kKindRenderer,
              fmt::format("{}: the renderer grants permissions to action \"{}\", which the entry "
                          "does not name in a field referencing actions", describe(c), action));
      continue;
    }
    Grant g{grant["actions"].get<std::vector<std::string>>(), {}, c.pointer};
    for (const auto& arn : field(grant, "resources")) g.resources.push_back(arn);
    r.grant(action, std::move(g));
  }
  for (const auto& [id, resource] : field(reply, "resources").items())
    r.resource(id, resource, c.pointer);
  for (const auto& [id, output] : field(reply, "outputs").items())
    r.output(id, output["Value"],
             output.value("Description", fmt::format("{} {}", c.kind->noun, c.name)), c.pointer);
}

void render_entry(Renderer& r, const Component& c) {
  std::string reply;
  bool ok = false;
  try {
    ok = c.kind->custom->render(request(r, c).dump(), reply);
  } catch (const std::exception& e) {
    reply = e.what();
  }
  if (!ok) {
    r.error(c.pointer, check::kKindRenderer,
            fmt::format("{}: the renderer failed: {}", describe(c), reply.empty() ? "(no reason given)" : reply));
    return;
  }
  json answer = json::parse(reply, nullptr, /*allow_exceptions=*/false);
  Diagnostics wrong;
  if (answer.is_discarded())
    report(wrong, "", check::kKindRenderer, "the reply is not JSON");
  else
    wrong = reply_schema().validate(answer);
  for (const auto& w : wrong)
    r.error(c.pointer, check::kKindRenderer,
            fmt::format("{}: the renderer's reply{}: {}", describe(c),
                        w.path.empty() ? "" : " at " + w.path, w.message));
  if (wrong.empty()) apply(r, c, answer);
}

json variable(const Component& c) { return cfn::ref(c.id()); }

}  // namespace

Diagnostics CustomKinds::add(const json& definition, RenderFn render) {
  Diagnostics errors = definition_schema().validate(definition);
  if (!errors.empty()) return errors;
  std::string key = definition["key"];
  std::string noun = definition.value("noun", key.back() == 's' ? key.substr(0, key.size() - 1) : key);
  std::string suffix = definition.value("suffix", std::string());
  if (suffix.empty())
    for (char ch : noun)
      if (ch != ' ') suffix += ch;
  std::vector<const Kind*> known = all();
  if (config_schema()["properties"].contains(key) || key == "kinds")
    report(errors, "/key", check::kKindDefinition,
           fmt::format("\"{}\" is a key of pareto.yaml already: choose another", key));
  for (const Kind* other : known) {
    if (other->key == key && other->custom)
      report(errors, "/key", check::kKindDefinition,
             fmt::format("a kind \"{}\" is registered already", key));
    else if (other->suffix == suffix)
      report(errors, definition.contains("suffix") ? "/suffix" : "/key", check::kKindDefinition,
             fmt::format("the suffix \"{}\" is the {} kind's: logical ids and variables would "
                         "collide; give the kind another \"suffix\"", suffix, other->noun));
  }
  std::map<std::string, std::string> references;
  const json& declared = definition.contains("references") ? definition["references"] : json::object();
  for (const auto& [field, value] : declared.items()) {
    std::string target = value;
    bool exists = target == key || std::any_of(known.begin(), known.end(),
                                               [&](const Kind* k) { return k->key == target; });
    if (!exists)
      report(errors, "/references/" + pointer_escape(field), check::kKindDefinition,
             fmt::format("no kind \"{}\" is registered before this one", target));
    references[field] = target;
  }
  // The entry's "name" is pareto's: logical ids, variables and physical names derive from it.
  json entry = definition["schema"];
  if (entry.contains("type") && entry["type"] != "object")
    report(errors, "/schema/type", check::kKindDefinition, "an entry is a mapping: \"type\": \"object\"");
  entry["type"] = "object";
  entry["properties"]["name"] = config_schema()["$defs"]["name"];
  if (!entry.contains("required") || !entry["required"].is_array()) entry["required"] = json::array();
  if (std::find(entry["required"].begin(), entry["required"].end(), "name") == entry["required"].end())
    entry["required"].insert(entry["required"].begin(), "name");
  std::optional<Schema> schema;
  try {
    schema.emplace(entry);
  } catch (const std::exception& e) {
    report(errors, "/schema", check::kKindDefinition,
           fmt::format("not a JSON Schema (draft 7) pareto can read: {}", e.what()));
  }
  if (!errors.empty()) return errors;
  auto kind = std::make_shared<CustomKind>(
      CustomKind{key, noun, suffix, std::move(*schema), std::move(references),
                 definition.value("name_limit", size_t{0}), std::move(render), {}});
  kind->kind = Kind{.key = kind->key, .noun = kind->noun, .suffix = kind->suffix,
                    .check = validate, .render = render_entry,
                    .variable = definition.value("variable", false) ? variable : nullptr,
                    .custom = kind.get()};
  custom_.push_back(std::move(kind));
  return errors;
}

std::vector<const Kind*> CustomKinds::all() const {
  std::span<const Kind* const> built_in = kinds();  // actions last
  std::vector<const Kind*> out(built_in.begin(), built_in.end() - 1);
  for (const auto& custom : custom_) out.push_back(&custom->kind);
  out.push_back(built_in.back());
  return out;
}

Diagnostics validate_entries(const CustomKind& kind, const json& entries) {
  Diagnostics errors;
  if (!entries.is_array()) {
    report(errors, "/" + kind.key, check::kType,
           fmt::format("custom kind \"{}\": expected a list of {} entries", kind.key, kind.noun));
    return errors;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string at = fmt::format("/{}/{}", kind.key, i);
    try {
      for (auto& e : kind.schema.validate(entries[i], at)) errors.push_back(std::move(e));
    } catch (const std::exception& e) {  // the kind's schema, not the entry, is at fault
      report(errors, at, check::kKindDefinition,
             fmt::format("the schema of custom kind \"{}\" cannot be applied: {}", kind.key, e.what()));
    }
  }
  return errors;
}

}  // namespace pareto
