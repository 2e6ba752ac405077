// The C boundary: argument checks, status codes, and no exception ever crossing it.
#include "pareto/pareto.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>

#include "app.hpp"
#include "components/custom.hpp"
#include "package/archive.hpp"
#include "package/code.hpp"
#include "check/schema.hpp"
#include "engine/flow.hpp"
#include "pattern/pattern.hpp"
#include "pattern/template_rules.hpp"
#include "render/graph.hpp"

struct pareto_app {
  std::string name;
  std::vector<std::string> kind_modules;
  std::string errors_json;
  std::string template_json;
  std::string functions_json;
  std::vector<pareto::NestedStack> nested;
  pareto::Template finalized;  // before the split, for pareto_app_place
  std::string source_name;
  std::map<std::string, std::string> origins;
  std::vector<pareto::QuotaUse> name_uses;
  nlohmann::json graph;
  std::vector<pareto::CodeUnit> code;
  std::optional<std::filesystem::path> base_dir;  // where the code folders are
  std::string base_dir_text;
  std::optional<std::string> stage;
  bool valid = false;
};

struct pareto_flow {
  std::unique_ptr<pareto::engine::Flow> flow;
};

struct pareto_kinds {
  pareto::CustomKinds kinds;
  std::string errors_json = "[]";
};

struct pareto_reply {
  std::string text;
};

struct pareto_rules {
  pareto::pattern::Rules rules;
  std::string errors_json;
};

namespace {
using nlohmann::json;

std::string diagnostics_json(const pareto::Diagnostics& errors) {
  json out = json::array();
  for (const auto& e : errors) out.push_back({{"path", e.path}, {"message", e.message}, {"check", e.check}});
  return out.dump();
}

// Runs `body`, turning every exception into a status: nothing throws through C.
template <typename Body>
pareto_status guard(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return PARETO_ENOMEM;
  } catch (...) {
    return PARETO_ERROR;
  }
}

char* copy_out(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (!out) throw std::bad_alloc();
  std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

// Version 1 options end before `kinds`: read only what the caller's version has.
bool valid_options(const pareto_load_options* opts) {
  return !opts || (opts->version >= 1 && opts->version <= PARETO_LOAD_OPTIONS_VERSION);
}

const pareto::CustomKinds* kinds_of(const pareto_load_options* opts) {
  return opts && opts->version >= 2 && opts->kinds ? &opts->kinds->kinds : nullptr;
}

std::optional<std::string> stage_of(const pareto_load_options* opts) {
  if (opts && opts->version >= 3 && opts->stage) return opts->stage;
  return std::nullopt;
}

// A C renderer and its user data, released once no kind holds it.
struct Renderer {
  Renderer(pareto_render_fn render, void* user, void (*release)(void*))
      : render(render), user(user), release(release) {}
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;
  ~Renderer() {
    if (release) release(user);
  }
  bool operator()(const std::string& request, std::string& reply) const {
    pareto_reply answer;
    pareto_status status = render(user, request.c_str(), request.size(), &answer);
    reply = std::move(answer.text);
    return status == PARETO_OK;
  }

  pareto_render_fn render;
  void* user;
  void (*release)(void*);
};

pareto_status finish(pareto_app** out, pareto::Synthesis&& result,
                     const pareto::LoadOptions& options) {
  std::string_view file = options.source_name;
  auto app = std::make_unique<pareto_app>();
  app->source_name = options.source_name;
  app->base_dir = options.base_dir;
  if (options.base_dir) app->base_dir_text = options.base_dir->string();
  app->stage = options.stage;
  app->name = result.name;
  app->kind_modules = std::move(result.kind_modules);
  app->errors_json = result.errors_json(file).dump();
  app->functions_json = result.functions.dump();
  app->code = std::move(result.code);
  app->template_json = std::move(result.template_json);
  app->nested = std::move(result.nested);
  app->finalized = std::move(result.finalized);
  app->origins = std::move(result.origins);
  app->name_uses = std::move(result.name_uses);
  app->graph = std::move(result.graph);
  app->valid = result.ok();
  *out = app.release();
  return (*out)->valid ? PARETO_OK : PARETO_EINVALID;
}

}  // namespace

extern "C" {

pareto_status pareto_app_load(pareto_app** out, const char* text, size_t len,
                              const pareto_load_options* opts) {
  if (!out) return PARETO_EARG;
  *out = nullptr;
  if ((!text && len) || !valid_options(opts)) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    pareto::LoadOptions options;
    if (opts && opts->source_name) options.source_name = opts->source_name;
    if (opts && opts->base_dir) options.base_dir = opts->base_dir;
    options.kinds = kinds_of(opts);
    options.stage = stage_of(opts);
    auto result = pareto::synthesize(std::string_view(text ? text : "", len), options);
    return finish(out, std::move(result), options);
  });
}

pareto_status pareto_app_load_path(pareto_app** out, const char* path,
                                   const pareto_load_options* opts) {
  if (!out) return PARETO_EARG;
  *out = nullptr;
  if (!path || !valid_options(opts)) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    auto file = pareto::find_app_file(path);
    if (!file) return PARETO_EIO;
    std::ifstream in(*file, std::ios::binary);
    std::stringstream text;
    if (!(text << in.rdbuf()) && in.bad()) return PARETO_EIO;
    pareto::LoadOptions options;
    options.source_name = opts && opts->source_name ? opts->source_name : file->string();
    options.base_dir = file->parent_path().empty() ? std::filesystem::path(".")
                                                   : file->parent_path();
    options.kinds = kinds_of(opts);
    options.stage = stage_of(opts);
    auto result = pareto::synthesize(text.str(), options);
    return finish(out, std::move(result), options);
  });
}

const char* pareto_app_errors(const pareto_app* app) {
  return app ? app->errors_json.c_str() : nullptr;
}

const char* pareto_app_name(const pareto_app* app) { return app ? app->name.c_str() : nullptr; }

const char* pareto_app_stage(const pareto_app* app) {
  return app && app->stage ? app->stage->c_str() : nullptr;
}

const char* pareto_app_base_dir(const pareto_app* app) {
  return app && app->base_dir ? app->base_dir_text.c_str() : nullptr;
}

pareto_status pareto_app_kind_modules(const pareto_app* app, char** out_json) {
  if (!out_json) return PARETO_EARG;
  *out_json = nullptr;
  if (!app) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    *out_json = copy_out(json(app->kind_modules).dump());
    return PARETO_OK;
  });
}

pareto_status pareto_reply_set(pareto_reply* reply, const char* text, size_t len) {
  if (!reply || (!text && len)) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    reply->text.assign(text ? text : "", len);
    return PARETO_OK;
  });
}

pareto_status pareto_kinds_new(pareto_kinds** out) {
  if (!out) return PARETO_EARG;
  *out = nullptr;
  return guard([&]() -> pareto_status {
    *out = new pareto_kinds();
    return PARETO_OK;
  });
}

pareto_status pareto_kinds_add(pareto_kinds* kinds, const char* definition, size_t len,
                               pareto_render_fn render, void* user, void (*release)(void*)) {
  // The renderer's owner holds `user` from here on, whatever happens.
  std::shared_ptr<Renderer> owner;
  pareto_status made = guard([&]() -> pareto_status {
    owner = std::make_shared<Renderer>(render, user, release);
    return PARETO_OK;
  });
  if (made != PARETO_OK) {
    if (release) release(user);
    return made;
  }
  if (!kinds || (!definition && len) || !render) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    json parsed = json::parse(std::string_view(definition ? definition : "", len), nullptr, false);
    pareto::Diagnostics errors;
    if (parsed.is_discarded())
      pareto::report(errors, "", pareto::check::kKindDefinition, "the definition is not JSON");
    else
      errors = kinds->kinds.add(parsed, [owner](const std::string& request, std::string& reply) {
        return (*owner)(request, reply);
      });
    kinds->errors_json = diagnostics_json(errors);
    return errors.empty() ? PARETO_OK : PARETO_EINVALID;
  });
}

const char* pareto_kinds_errors(const pareto_kinds* kinds) {
  return kinds ? kinds->errors_json.c_str() : nullptr;
}

void pareto_kinds_free(pareto_kinds* kinds) { delete kinds; }

pareto_status pareto_app_synth(const pareto_app* app, char** out_json) {
  if (!out_json) return PARETO_EARG;
  *out_json = nullptr;
  if (!app) return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    *out_json = copy_out(app->template_json);
    return PARETO_OK;
  });
}

pareto_status pareto_app_nested_stacks(const pareto_app* app, char** out_json) {
  if (!out_json) return PARETO_EARG;
  *out_json = nullptr;
  if (!app) return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    json nested = json::array();
    for (const auto& stack : app->nested)
      nested.push_back({{"name", stack.name}, {"key", stack.key}, {"template", stack.template_json}});
    *out_json = copy_out(nested.dump());
    return PARETO_OK;
  });
}

pareto_status pareto_app_origins(const pareto_app* app, char** out_json) {
  if (!out_json) return PARETO_EARG;
  *out_json = nullptr;
  if (!app) return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    *out_json = copy_out(json(app->origins).dump());
    return PARETO_OK;
  });
}

pareto_status pareto_app_place(const pareto_app* app, const char* placement_json, pareto_app** out) {
  if (!out) return PARETO_EARG;
  *out = nullptr;
  if (!app || !placement_json) return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    json given = json::parse(placement_json, nullptr, false);
    if (!given.is_object()) return PARETO_EARG;
    pareto::Placement placement;
    for (const auto& [id, stack] : given.items()) {
      if (!stack.is_string()) return PARETO_EARG;
      placement[id] = stack.get<std::string>();
    }
    auto placed = std::make_unique<pareto_app>(*app);
    pareto::Diagnostics errors;
    pareto::Stacks stacks = pareto::stack_up(app->finalized, app->name, placement, errors);
    placed->template_json = std::move(stacks.parent_json);
    placed->nested = std::move(stacks.nested);
    placed->errors_json = pareto::errors_json(errors, app->source_name).dump();
    placed->valid = errors.empty();
    *out = placed.release();
    return (*out)->valid ? PARETO_OK : PARETO_EINVALID;
  });
}

pareto_status pareto_app_budget(const pareto_app* app, const char* format, char** out_text) {
  if (!out_text) return PARETO_EARG;
  *out_text = nullptr;
  if (!app || !format) return PARETO_EARG;
  std::string_view kind = format;
  if (kind != "json" && kind != "text") return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    auto uses = pareto::quota_uses(app->template_json, app->nested, app->origins, app->name_uses);
    *out_text = copy_out(kind == "json" ? pareto::budget_json(uses).dump() : pareto::budget_table(uses));
    return PARETO_OK;
  });
}

pareto_status pareto_app_functions(const pareto_app* app, char** out_json) {
  if (!out_json) return PARETO_EARG;
  *out_json = nullptr;
  if (!app) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    *out_json = copy_out(app->functions_json);
    return PARETO_OK;
  });
}

pareto_status pareto_app_package(const pareto_app* app, const char* name,
                                 const char* dependencies, char** out_data, size_t* out_len) {
  if (!out_data || !out_len) return PARETO_EARG;
  *out_data = nullptr;
  *out_len = 0;
  if (!app || !app->base_dir || !name) return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    std::string_view wanted = name;
    auto unit = std::find_if(app->code.begin(), app->code.end(), [&](const pareto::CodeUnit& u) {
      return u.name == wanted || u.kind + "/" + u.name == wanted;
    });
    if (unit == app->code.end()) return PARETO_EARG;
    std::optional<std::filesystem::path> installed;
    if (unit->dependencies) {
      if (dependencies && *dependencies) {
        installed = dependencies;
      } else {
        json parameters = json::object();
        const json synthesized = json::parse(app->template_json);
        const json declared = synthesized.value("Parameters", json::object());
        for (const auto& [key, parameter] : declared.items())
          if (parameter.contains("Default")) parameters[key] = parameter["Default"];
        installed = pareto::dependencies_folder(
            *app->base_dir, *unit->dependencies, unit->runtime,
            pareto::runtime_version(parameters, unit->runtime, unit->version), unit->architecture);
      }
      std::error_code error;
      if (!std::filesystem::is_regular_file(*installed / pareto::kDependenciesStamp, error))
        return PARETO_EIO;  // not built: the package command builds them
    }
    std::string archive;
    try {
      archive = pareto::package_unit(*app->base_dir, *unit, installed);
    } catch (const pareto::ArchiveError&) {
      return PARETO_EIO;
    }
    *out_data = copy_out(archive);  // bytes, and a NUL after them as for text
    *out_len = archive.size();
    return PARETO_OK;
  });
}

pareto_status pareto_app_graph(const pareto_app* app, const char* format, char** out_text) {
  if (!out_text) return PARETO_EARG;
  *out_text = nullptr;
  if (!app || !format) return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    std::optional<std::string> text = pareto::draw(app->graph, app->name, format);
    if (!text) return PARETO_EARG;
    *out_text = copy_out(*text);
    return PARETO_OK;
  });
}

void pareto_app_free(pareto_app* app) { delete app; }

pareto_status pareto_rules_compile(pareto_rules** out, const char* rules_json, size_t len) {
  if (!out) return PARETO_EARG;
  *out = nullptr;
  if (!rules_json && len > 0) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    auto rules = std::make_unique<pareto_rules>();
    pareto::Diagnostics errors;
    json parsed = pareto::pattern::read_json(std::string_view(rules_json ? rules_json : "", len));
    if (parsed.is_discarded())
      pareto::report(errors, "", pareto::check::kEventPattern, "the rules are not valid JSON");
    else
      rules->rules = pareto::pattern::Rules::compile(parsed, errors);
    rules->errors_json = diagnostics_json(errors);
    *out = rules.release();
    return errors.empty() ? PARETO_OK : PARETO_EINVALID;
  });
}

const char* pareto_rules_errors(const pareto_rules* rules) {
  return rules ? rules->errors_json.c_str() : nullptr;
}

pareto_status pareto_rules_match(const pareto_rules* rules, const char* event_json, size_t len,
                                 char** out_names) {
  if (!out_names) return PARETO_EARG;
  *out_names = nullptr;
  if (!rules || (!event_json && len > 0)) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    auto matched = rules->rules.match(std::string_view(event_json ? event_json : "", len));
    if (!matched) return PARETO_EARG;
    std::string names = "[";  // the names as a JSON array, without building one
    for (const auto& name : *matched) {
      if (names.size() > 1) names += ',';
      names += json(name).dump();
    }
    *out_names = copy_out(names + "]");
    return PARETO_OK;
  });
}

pareto_status pareto_app_rules(const pareto_app* app, const char* stage, char** out_json) {
  if (!out_json) return PARETO_EARG;
  *out_json = nullptr;
  if (!app || !stage) return PARETO_EARG;
  if (!app->valid) return PARETO_EINVALID;
  return guard([&]() -> pareto_status {
    json rules = pareto::pattern::template_rules(json::parse(app->template_json),
                                                 app->name + "-" + stage, stage);
    *out_json = copy_out(rules.dump());
    return PARETO_OK;
  });
}

void pareto_rules_free(pareto_rules* rules) { delete rules; }

pareto_status pareto_flow_start(pareto_flow** out, const char* request_json, size_t len) {
  if (!out) return PARETO_EARG;
  *out = nullptr;
  if (!request_json) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    json request = json::parse(std::string_view(request_json, len), nullptr, false);
    if (!request.is_object() || !request.contains("argv") || !request["argv"].is_array())
      return PARETO_EARG;
    std::vector<std::string> argv;
    for (const auto& argument : request["argv"]) {
      if (!argument.is_string()) return PARETO_EARG;
      argv.push_back(argument);
    }
    pareto::engine::HostFacts facts;
    facts.host = request.value("host", facts.host);
    facts.aws = request.value("aws", false);
    facts.interactive = request.value("interactive", false);
    facts.colour = request.value("colour", false);
    facts.now_ms = request.value("now_ms", int64_t{0});
    facts.seed = request.value("seed", uint64_t{0});
    auto flow = std::make_unique<pareto_flow>();
    flow->flow = pareto::engine::Flow::command_line(std::move(facts), std::move(argv));
    *out = flow.release();
    return PARETO_OK;
  });
}

pareto_status pareto_flow_next(pareto_flow* flow, const char* answer_json, size_t len,
                               char** out_json) {
  if (!out_json) return PARETO_EARG;
  *out_json = nullptr;
  if (!flow) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    json answer;
    if (answer_json) {
      answer = json::parse(std::string_view(answer_json, len), nullptr, false);
      if (answer.is_discarded()) return PARETO_EARG;
    }
    *out_json = copy_out(flow->flow->next(std::move(answer)).data.dump());
    return PARETO_OK;
  });
}

pareto_status pareto_flow_blob(const pareto_flow* flow, char** out_data, size_t* out_len) {
  if (!out_data || !out_len) return PARETO_EARG;
  *out_data = nullptr;
  *out_len = 0;
  if (!flow) return PARETO_EARG;
  return guard([&]() -> pareto_status {
    const std::string& blob = flow->flow->session().pending().blob;
    *out_data = copy_out(blob);
    *out_len = blob.size();
    return PARETO_OK;
  });
}

pareto_status pareto_flow_lend_app(pareto_flow* flow, const pareto_app* app) {
  if (!flow || !app) return PARETO_EARG;
  flow->flow->session().lend_app(app);
  return PARETO_OK;
}

void pareto_flow_free(pareto_flow* flow) { delete flow; }

void pareto_free(void* p) { std::free(p); }

const char* pareto_strerror(pareto_status status) {
  switch (status) {
    case PARETO_OK: return "ok";
    case PARETO_ERROR: return "internal error";
    case PARETO_EINVALID: return "the app description has errors";
    case PARETO_ENOMEM: return "out of memory";
    case PARETO_EARG: return "invalid argument";
    case PARETO_EIO: return "the file could not be read";
    default: return "unknown status";
  }
}

const char* pareto_version(void) { return PARETO_VERSION_STRING; }

int pareto_version_number(void) { return PARETO_VERSION_NUMBER; }

const char* pareto_config_schema(void) {
  static const std::string schema = [] {
    try {
      return pareto::config_schema().dump(2);
    } catch (...) {
      return std::string("{}");
    }
  }();
  return schema.c_str();
}

}  // extern "C"
