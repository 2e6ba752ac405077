// pareto.hpp — the C++ API: RAII and exceptions over the C API, header-only, so C++ tools get
// the same ABI-stable library as every other front end.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pareto/pareto.h"

namespace pareto {
inline namespace v0 {

// A status other than PARETO_OK or PARETO_EINVALID.
class Error : public std::runtime_error {
 public:
  explicit Error(pareto_status status)
      : std::runtime_error(pareto_strerror(status)), status_(status) {}
  Error(pareto_status status, const std::string& what)
      : std::runtime_error(what), status_(status) {}
  pareto_status status() const noexcept { return status_; }

 private:
  pareto_status status_;
};

namespace detail {
// Throws unless the status is OK or "invalid input" (whose errors are on the handle).
inline void check(pareto_status status) {
  if (status != PARETO_OK && status != PARETO_EINVALID) throw Error(status);
}
// Calls a C function that returns a buffer through char **, and takes ownership of it.
template <typename Call>
std::string take(Call&& call) {
  char* out = nullptr;
  pareto_status status = call(&out);
  if (status != PARETO_OK) throw Error(status);
  std::unique_ptr<char, void (*)(void*)> owned(out, pareto_free);
  return std::string(out);
}
}  // namespace detail

// Custom component kinds for the loads given them (pareto.h: definitions, requests, replies).
class Kinds {
 public:
  // The request's JSON text in, the reply's JSON text out; throws to fail, with its message.
  using Render = std::function<std::string(const std::string& request)>;

  Kinds() {
    pareto_kinds* kinds = nullptr;
    detail::check(pareto_kinds_new(&kinds));
    kinds_.reset(kinds);
  }
  // Adds a kind from its definition JSON; throws Error(PARETO_EINVALID) naming its problems
  // (the JSON of errors()) when the definition is wrong.
  void add(std::string_view definition, Render render) {
    auto* user = new Render(std::move(render));  // released by the handle, added or not
    pareto_status status = pareto_kinds_add(kinds_.get(), definition.data(), definition.size(),
                                            call, user, release);
    if (status == PARETO_EINVALID) throw Error(status, errors());
    detail::check(status);
  }
  // JSON: [{path, message, check}], the problems of the last definition added.
  std::string errors() const { return pareto_kinds_errors(kinds_.get()); }
  const pareto_kinds* get() const { return kinds_.get(); }

 private:
  static pareto_status call(void* user, const char* request, size_t len, pareto_reply* reply) {
    try {
      std::string answer = (*static_cast<Render*>(user))(std::string(request, len));
      return pareto_reply_set(reply, answer.data(), answer.size());
    } catch (const std::exception& e) {
      fail(reply, e.what());
    } catch (...) {
      fail(reply, "an exception that is not a std::exception");
    }
    return PARETO_ERROR;
  }
  static void fail(pareto_reply* reply, const char* why) {
    pareto_reply_set(reply, why, std::char_traits<char>::length(why));
  }
  static void release(void* user) { delete static_cast<Render*>(user); }
  struct Free {
    void operator()(pareto_kinds* kinds) const noexcept { pareto_kinds_free(kinds); }
  };
  std::unique_ptr<pareto_kinds, Free> kinds_;
};

class App {
 public:
  // From YAML or JSON text; `base_dir` is where handler sources live ("" : not scanned), and
  // `stage` whose settings apply ("": the app's own).
  static App from_text(std::string_view text, const std::string& source_name = "<input>",
                       const std::string& base_dir = "", const Kinds* kinds = nullptr,
                       const std::string& stage = "") {
    pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
    options.source_name = source_name.c_str();
    options.base_dir = base_dir.empty() ? nullptr : base_dir.c_str();
    options.kinds = kinds ? kinds->get() : nullptr;
    options.stage = stage.empty() ? nullptr : stage.c_str();
    pareto_app* app = nullptr;
    detail::check(pareto_app_load(&app, text.data(), text.size(), &options));
    return App(app);
  }
  // From a pareto.yaml or the folder holding one.
  static App from_path(const std::string& path, const Kinds* kinds = nullptr,
                       const std::string& stage = "") {
    pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
    options.kinds = kinds ? kinds->get() : nullptr;
    options.stage = stage.empty() ? nullptr : stage.c_str();
    pareto_app* app = nullptr;
    detail::check(pareto_app_load_path(&app, path.c_str(), &options));
    return App(app);
  }
  // JSON: the modules its "kinds" key names, for a front end to load and register.
  std::string kind_modules() const {
    return detail::take([&](char** out) { return pareto_app_kind_modules(app_.get(), out); });
  }

  const pareto_app* get() const { return app_.get(); }
  // A view of an app a caller owns (a host's, lent to a flow); it must outlive the view.
  static App borrow(const pareto_app* app) { return App(const_cast<pareto_app*>(app), false); }

  bool valid() const { return errors() == "[]"; }
  std::string name() const { return pareto_app_name(app_.get()); }
  // The stage whose settings it was loaded with; none: the app's own.
  std::optional<std::string> stage() const {
    const char* stage = pareto_app_stage(app_.get());
    return stage ? std::optional<std::string>(stage) : std::nullopt;
  }
  // The folder of its handler sources; "" when it was loaded without one.
  std::string base_dir() const {
    const char* dir = pareto_app_base_dir(app_.get());
    return dir ? dir : "";
  }
  // JSON: [{file, path, line, column, message, check}]
  std::string errors() const { return pareto_app_errors(app_.get()); }
  // The template JSON; throws Error(PARETO_EINVALID) when the app has errors.
  std::string synth() const { return detail::take([&](char** out) { return pareto_app_synth(app_.get(), out); }); }
  // JSON: [{name, key, template}], the nested stacks of an app past one stack's quotas.
  std::string nested_stacks() const {
    return detail::take([&](char** out) { return pareto_app_nested_stacks(app_.get(), out); });
  }
  // JSON: {logical id: the config entry it was made for}
  std::string origins() const {
    return detail::take([&](char** out) { return pareto_app_origins(app_.get(), out); });
  }
  // The app with its stacks placed for a deployed stack (JSON {logical id: nested stack, "" the
  // parent}); placement errors are on the result. Throws Error(PARETO_EINVALID) when this app has
  // errors.
  App place(const std::string& placement_json) const {
    pareto_app* placed = nullptr;
    pareto_status status = pareto_app_place(app_.get(), placement_json.c_str(), &placed);
    if (!placed) throw Error(status);
    return App(placed);
  }
  // The quotas the app uses, least headroom first: format "json" or "text" (pareto.h).
  std::string budget(const std::string& format = "json") const {
    return detail::take([&](char** out) { return pareto_app_budget(app_.get(), format.c_str(), out); });
  }
  // JSON: each action's and builder's archive: [{action | builder, path, key, ...}] (pareto.h)
  std::string functions() const {
    return detail::take([&](char** out) { return pareto_app_functions(app_.get(), out); });
  }
  // JSON: {"rules": {id: pattern}, "skipped": {id: why}}, the event rules as deployed to `stage`.
  std::string rules(const std::string& stage = "dev") const {
    return detail::take([&](char** out) { return pareto_app_rules(app_.get(), stage.c_str(), out); });
  }
  // The archive (zip bytes) of an action or builder of an app loaded from a path, with the
  // dependencies installed in `dependencies` ("": the build cache's).
  std::string package(const std::string& name, const std::string& dependencies = "") const {
    char* data = nullptr;
    size_t size = 0;
    detail::check(pareto_app_package(app_.get(), name.c_str(),
                                     dependencies.empty() ? nullptr : dependencies.c_str(), &data,
                                     &size));
    std::unique_ptr<char, void (*)(void*)> owned(data, pareto_free);
    return std::string(data, size);
  }
  // The diagram as "mermaid" or "dot" text; throws Error(PARETO_EARG) for another format.
  std::string graph(const std::string& format = "mermaid") const {
    return detail::take([&](char** out) { return pareto_app_graph(app_.get(), format.c_str(), out); });
  }

 private:
  struct Free {
    bool owned = true;
    void operator()(pareto_app* app) const noexcept {
      if (owned) pareto_app_free(app);
    }
  };
  explicit App(pareto_app* app, bool owned = true) : app_(app, Free{owned}) {}
  std::unique_ptr<pareto_app, Free> app_;
};

// EventBridge patterns by name, compiled once: which of them does an event match?
class Rules {
 public:
  // {"name": pattern, ...} as JSON text.
  static Rules compile(std::string_view rules_json) {
    pareto_rules* rules = nullptr;
    detail::check(pareto_rules_compile(&rules, rules_json.data(), rules_json.size()));
    return Rules(rules);
  }
  bool valid() const { return errors() == "[]"; }
  // JSON: [{path, message, check}]
  std::string errors() const { return pareto_rules_errors(rules_.get()); }
  // JSON: the names of the matching rules; throws Error(PARETO_EARG) when the event is not JSON.
  std::string match(std::string_view event_json) const {
    return detail::take([&](char** out) {
      return pareto_rules_match(rules_.get(), event_json.data(), event_json.size(), out);
    });
  }

 private:
  struct Free {
    void operator()(pareto_rules* rules) const noexcept { pareto_rules_free(rules); }
  };
  explicit Rules(pareto_rules* rules) : rules_(rules) {}
  std::unique_ptr<pareto_rules, Free> rules_;
};

inline std::string version() { return pareto_version(); }

}  // namespace v0
}  // namespace pareto
