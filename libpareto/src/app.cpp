#include "app.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "check/schema.hpp"
#include "components/alarms.hpp"
#include "components/custom.hpp"
#include "components/kind.hpp"
#include "finalize/finalize.hpp"
#include "finalize/nested.hpp"
#include "finalize/overrides.hpp"
#include "kinds/action/action.hpp"
#include "load/document.hpp"
#include "load/sources.hpp"
#include "load/stages.hpp"
#include "names.hpp"
#include "package/archive.hpp"
#include "render/dashboard.hpp"
#include "render/graph.hpp"

namespace pareto {
using nlohmann::json;

json Synthesis::errors_json(std::string_view file) const { return pareto::errors_json(errors, file); }

json errors_json(const Diagnostics& errors, std::string_view file) {
  json out = json::array();
  for (const auto& e : errors)
    out.push_back({{"file", file}, {"path", e.path}, {"line", e.line}, {"column", e.column},
                   {"message", e.message}, {"check", e.check}});
  return out;
}

namespace {

Model build_model(json config, std::vector<const Kind*> kinds, Diagnostics& errors) {
  Model model;
  model.app = config["app"];
  model.kinds = std::move(kinds);
  for (const Kind* kind : model.kinds)
    if (kind->defaults)
      for (auto& entry : config[std::string(kind->key)]) kind->defaults(entry);
  model.config = std::move(config);
  for (const Kind* kind : model.kinds) {
    const json& entries = model.config[std::string(kind->key)];
    model.components[kind->key];  // every kind has a list, empty or not
    for (size_t i = 0; i < entries.size(); ++i) {
      Component c{kind, entries[i]["name"], fmt::format("/{}/{}", kind->key, i), &entries[i]};
      if (const Component* first = model.find(kind->key, c.name))
        report(errors, c.pointer + "/name", check::kDuplicateName,
               fmt::format("{} \"{}\" is already declared at {}", kind->noun, c.name,
                           first->pointer));
      else
        model.add(std::move(c));
    }
  }
  return model;
}

void read_sources(Model& model, const std::filesystem::path& base, Diagnostics& errors) {
  model.files.emplace();
  for (const Kind* kind : model.kinds) {
    if (kind->read)
      for (const auto& component : model.of(kind->key)) kind->read(model, component, base, errors);
    if (!kind->files) continue;
    for (const auto& component : model.of(kind->key))
      for (const auto& [path, pointer] : kind->files(component)) {
        std::ifstream in(base / path, std::ios::binary);
        if (in) {
          std::stringstream text;
          text << in.rdbuf();  // an empty file sets failbit, and is still read
          (*model.files)[path] = text.str();
          continue;
        }
        report(errors, pointer, check::kHandlerMissing,
               fmt::format("{} \"{}\" reads {} beside the app description: there is no such "
                           "file", kind->noun, component.name, path));
      }
  }
}

// Why a kind module may not be loaded: a path that leaves the app's folder. One spelled so
// (absolute, or with "..") the schema reports (E2005); one that resolves there through a link
// is reported here. Either way the module is not handed to a front end to run.
std::optional<std::string> outside_app(const std::optional<std::filesystem::path>& base,
                                       const std::string& module, bool& spelled) {
  namespace fs = std::filesystem;
  fs::path path(module);
  spelled = path.is_absolute() || std::any_of(path.begin(), path.end(), [](const auto& part) {
              return part == "..";
            });
  if (spelled) return "";
  if (!base) return std::nullopt;
  std::error_code error;
  fs::path root = fs::weakly_canonical(*base, error);
  for (const char* extension : {".py", ".js"}) {
    fs::path candidate = *base / (module + extension);
    if (!fs::exists(candidate, error)) continue;
    fs::path resolved = fs::weakly_canonical(candidate, error);
    auto [end, at] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
    if (end != root.end())
      return fmt::format("kind module {} resolves to {}, outside the app's folder: pareto runs "
                         "only modules inside it",
                         module + extension, resolved.lexically_relative(root).generic_string());
  }
  return std::nullopt;
}

void sort_by_position(Diagnostics& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
    auto key = [](const Diagnostic& d) {
      return std::make_tuple(d.line == 0, d.line, d.column);
    };
    return key(a) < key(b);
  });
}

size_t component_count(const json& config, const std::vector<const Kind*>& kinds) {
  size_t count = 0;
  if (!config.is_object()) return count;
  for (const Kind* kind : kinds)
    if (auto it = config.find(std::string(kind->key)); it != config.end() && it->is_array())
      count += it->size();
  return count;
}

// The document against the config schema, and each custom kind's entries against theirs.
Diagnostics validate_schema(const json& document, const std::vector<const Kind*>& kinds) {
  std::optional<json> built_in;  // without the custom kinds' entries: copied only when it has some
  Diagnostics custom;
  for (const Kind* kind : kinds)
    if (kind->custom && document.is_object() && document.contains(kind->key)) {
      if (!built_in) built_in = document;
      built_in->erase(std::string(kind->key));
      for (auto& e : validate_entries(*kind->custom, document[std::string(kind->key)]))
        custom.push_back(std::move(e));
    }
  Diagnostics errors = Schema::config().validate(built_in ? *built_in : document);
  errors.insert(errors.end(), custom.begin(), custom.end());
  return errors;
}

// Every stage's settings checked (the components each names, against the schema), and the
// description as the chosen stage sets it, with where its merged values came from.
json staged(const json& document, const std::optional<std::string>& chosen,
            const std::vector<const Kind*>& kinds, Provenance& provenance, Diagnostics& errors) {
  auto stages = document.find("stages");
  if (stages == document.end()) return document;
  json out = document;
  for (const auto& [stage, _] : stages->items()) {
    Diagnostics found;
    Staged subset = apply_stage(document, stage, kinds, true, found);
    Diagnostics invalid = validate_schema(subset.document, kinds);
    subset.provenance.trace(invalid);
    found.insert(found.end(), invalid.begin(), invalid.end());
    if (found.empty() && chosen == stage) {
      Staged whole = apply_stage(document, stage, kinds, false, found);
      out = std::move(whole.document);
      provenance = std::move(whole.provenance);
    }
    errors.insert(errors.end(), found.begin(), found.end());
  }
  return out;
}

Graph graph_of(const Model& model, const std::vector<Link>& links) {
  Diagram diagram;
  for (const Kind* kind : model.kinds)
    for (const auto& c : model.of(kind->key)) diagram.node({kind->key, c.name});
  std::map<const Component*, json> leaves_from;  // a kind's diagram hook says its links do not
  for (const Kind* kind : model.kinds)
    if (kind->diagram)
      for (const auto& c : model.of(kind->key))
        if (json from = kind->diagram(c, diagram); !from.is_null()) leaves_from[&c] = std::move(from);
  for (const auto& link : links) {
    auto moved = leaves_from.find(link.from);
    json from = moved != leaves_from.end() ? moved->second : json{link.from->kind->key, link.from->name};
    diagram.edge(std::move(from), {link.to->kind->key, link.to->name}, link.label);
  }
  return diagram.take();
}

}  // namespace

Synthesis synthesize(std::string_view text, const LoadOptions& options) {
  Synthesis out;
  Document doc = load_document(text);
  Diagnostics module_errors;
  Provenance provenance;  // the chosen stage's merged values
  auto finish = [&](Diagnostics errors) {
    errors.insert(errors.end(), module_errors.begin(), module_errors.end());
    provenance.trace(errors);
    doc.positions.locate(errors);
    sort_by_position(errors);
    out.errors = std::move(errors);
    return out;
  };
  if (!doc.errors.empty()) return finish(std::move(doc.errors));
  if (doc.value.is_object() && doc.value.contains("app") && doc.value["app"].is_string())
    out.name = doc.value["app"];
  if (doc.value.is_object() && doc.value.contains("kinds") && doc.value["kinds"].is_array())
    for (size_t i = 0; i < doc.value["kinds"].size(); ++i)
      if (const json& module = doc.value["kinds"][i]; module.is_string()) {
        bool spelled = false;
        auto why = outside_app(options.base_dir, module.get<std::string>(), spelled);
        if (!why)
          out.kind_modules.push_back(module);
        else if (!spelled)
          report(module_errors, fmt::format("/kinds/{}", i), check::kKindDefinition, *why);
      }
  std::vector<const Kind*> all_kinds = options.kinds ? options.kinds->all() : CustomKinds().all();
  if (size_t count = component_count(doc.value, all_kinds); count > kMaxComponents) {
    // Before the schema, whose cost grows with every entry: a bound on the whole pipeline.
    Diagnostics errors;
    report(errors, "", check::kInputLimit,
           fmt::format("the app has {} components; pareto takes at most {}", count,
                       kMaxComponents));
    return finish(std::move(errors));
  }
  if (Diagnostics errors = validate_schema(doc.value, all_kinds); !errors.empty())
    return finish(std::move(errors));
  Diagnostics stage_errors;
  json config = staged(doc.value, options.stage, all_kinds, provenance, stage_errors);
  if (!stage_errors.empty()) return finish(std::move(stage_errors));
  // "dashboard: false" is none at all; "true", the dashboard with its default options, is what
  // apply_defaults makes of a true option.
  for (const char* key : {"dashboard", "alarms"})
    if (config.contains(key) && config[key] == false) config.erase(key);
  Schema::config().apply_defaults(config);
  for (const Kind* kind : all_kinds)
    if (kind->custom) {
      json& entries = config[std::string(kind->key)];
      if (entries.is_null()) entries = json::array();
      for (auto& entry : entries) kind->custom->schema.apply_defaults(entry);
    }
  Diagnostics errors = std::exchange(module_errors, {});  // from here on, finish() has them
  infer_invocations(config, errors);
  Model model = build_model(std::move(config), std::move(all_kinds), errors);
  if (options.base_dir) read_sources(model, *options.base_dir, errors);
  out.code = plan_code(model, options.base_dir, errors);
  for (const auto& unit : out.code) {
    model.code_keys[unit.kind + "/" + unit.name] = unit.key(model.app);
    if (options.base_dir)  // what the shared code reads is the action's too
      for (const auto& folder : unit.shared)
        for (auto& variable : scan_folder(*options.base_dir, folder, unit.runtime)) {
          auto& found = model.variables[unit.name];
          if (std::none_of(found.begin(), found.end(),
                           [&](const Variable& v) { return v.name == variable.name; }))
            found.push_back(std::move(variable));
        }
  }
  Checker checker(model, errors);
  for (const Kind* kind : model.kinds)
    for (const auto& component : model.of(kind->key)) kind->check(checker, component);
  check_alarms(checker);
  out.graph = graph_of(model, checker.links());
  for (const auto& unit : out.code) out.functions.push_back(unit.describe(model.app));
  if (!errors.empty()) return finish(std::move(errors));

  Template result;
  result.description = fmt::format("{} (pareto)", model.app);
  // The stack's tags, which a deploy gives the stack (CloudFormation tags what it makes).
  if (!model.config["tags"].empty()) result.metadata["pareto"] = {{"stack-tags", model.config["tags"]}};
  Renderer renderer(model, result, errors);
  for (const Kind* kind : model.kinds)
    for (const auto& component : model.of(kind->key)) {
      kind->render(renderer, component);
      renderer.tag(component);
    }
  render_dashboards(renderer);
  if (!errors.empty()) return finish(std::move(errors));  // a failed render breaks references
  apply_overrides(result, model.config["overrides"], errors);
  finalize(result, model.config["parameters"], errors);
  if (!errors.empty()) return finish(std::move(errors));
  out.origins = result.origins;
  out.name_uses = checker.name_uses();
  out.finalized = std::move(result);
  Stacks stacks = stack_up(out.finalized, model.app, {}, errors);
  if (!errors.empty()) return finish(std::move(errors));
  out.template_json = std::move(stacks.parent_json);
  out.nested = std::move(stacks.nested);
  return out;
}

std::optional<std::filesystem::path> find_app_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec))
    return std::filesystem::is_regular_file(path, ec) ? std::optional(path) : std::nullopt;
  for (const char* name : {"pareto.yaml", "pareto.yml", "pareto.json"})
    if (std::filesystem::is_regular_file(path / name, ec)) return path / name;
  return std::nullopt;
}

}  // namespace pareto
