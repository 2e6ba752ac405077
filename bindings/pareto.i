/*
 * pareto.i: the one SWIG interface over pareto.h, shared by the Python and Node modules.
 *
 * It whitelists a small surface and returns status codes rather than raising, so that each
 * language's hand-written module defines its exception hierarchy once:
 *
 *   load(text, source_name, base_dir, kinds, stage) -> [status, App or null]   text: UTF-8
 *                                        YAML/JSON; stage: null for the app's own settings
 *   load_path(path, kinds, stage)     -> [status, App or null]   kinds: Kinds or null
 *   new_kinds()                       -> [status, Kinds or null]
 *   Kinds.add(definition, render)     -> status   render(request) returns [ok, text]: the
 *                                        reply's JSON, or why it failed; it must not throw
 *   Kinds.errors()                    -> string
 *   App.errors(), App.name()          -> string (copied from the handle)
 *   App.stage()                       -> string; "": the app's own settings
 *   App.kind_modules()                -> [status, string or null]
 *   App.synth(), App.functions()      -> [status, string or null]
 *   App.nested_stacks()               -> [status, string or null]
 *   App.budget(format)                -> [status, string or null]   format: json | text
 *   App.graph(format)                 -> [status, string or null]   format: mermaid | dot
 *   App.package(name, dependencies)   -> [status, bytes/Buffer or null]   a function's archive;
 *                                        dependencies "": the build cache's
 *   App.rules(stage)                  -> [status, string or null]
 *   compile_rules(json)               -> [status, Rules or null]
 *   Rules.errors(), Rules.match(json) -> string, [status, string or null]
 *   start_flow(request)               -> [status, Flow or null]   a command, as in pareto.h
 *   Flow.next(answer)                 -> [status, string or null]   the next step's JSON
 *   Flow.blob()                       -> [status, bytes/Buffer or null]   an upload's bytes
 *   Flow.lend(app)                    -> status   the app a "load" step asked for
 *   strerror(status), version(), version_number(), config_schema(), and the status codes
 *
 * An App owns its pareto_app and the host's garbage collector frees it; every char ** out is
 * copied into a host string and freed with pareto_free.
 */
%module(package="pareto") _pareto

%{
#include <string.h>

#include "pareto/pareto.h"

static pareto_status pareto_bind_load(pareto_app **out, const char *text, size_t len,
                                      const char *source_name, const char *base_dir,
                                      const pareto_kinds *kinds, const char *stage) {
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.source_name = source_name;
  options.base_dir = base_dir;
  options.kinds = kinds;
  options.stage = stage;
  return pareto_app_load(out, text, len, &options);
}

static pareto_status pareto_bind_load_path(pareto_app **out, const char *path,
                                           const pareto_kinds *kinds, const char *stage) {
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.kinds = kinds;
  options.stage = stage;
  return pareto_app_load_path(out, path, &options);
}

/*
 * A custom kind's renderer in the host language: a callable taking the request's text and
 * returning [ok, text] (the hand-written module wraps the user's renderer so that it never
 * throws). Anything else it returns or raises still fails the render with a message.
 */
static pareto_status pareto_bind_reply(pareto_reply *reply, bool ok, const char *text, size_t len) {
  pareto_reply_set(reply, text, len);
  return ok ? PARETO_OK : PARETO_ERROR;
}

static pareto_status pareto_bind_fail(pareto_reply *reply, const char *why) {
  return pareto_bind_reply(reply, false, why, strlen(why));
}

#ifdef SWIGPYTHON
typedef PyObject *pareto_bind_callable;

static pareto_status pareto_bind_render(void *user, const char *request, size_t len,
                                        pareto_reply *reply) {
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject *result = PyObject_CallFunction((PyObject *)user, "s#", request, (Py_ssize_t)len);
  const char *text = NULL;
  Py_ssize_t size = 0;
  pareto_status status;
  if (result && PyTuple_Check(result) && PyTuple_Size(result) == 2 &&
      (text = PyUnicode_AsUTF8AndSize(PyTuple_GetItem(result, 1), &size)))
    status = pareto_bind_reply(reply, PyObject_IsTrue(PyTuple_GetItem(result, 0)) == 1, text, size);
  else
    status = pareto_bind_fail(reply, "the renderer did not return (ok, text)");
  PyErr_Clear();
  Py_XDECREF(result);
  PyGILState_Release(gil);
  return status;
}

static void pareto_bind_release(void *user) {
  PyGILState_STATE gil = PyGILState_Ensure();
  Py_DECREF((PyObject *)user);
  PyGILState_Release(gil);
}

static pareto_status pareto_bind_kinds_add(pareto_kinds *kinds, const char *definition,
                                           size_t len, pareto_bind_callable render) {
  Py_INCREF(render);
  return pareto_kinds_add(kinds, definition, len, pareto_bind_render, render, pareto_bind_release);
}
#else
typedef Napi::Value pareto_bind_callable;

static pareto_status pareto_bind_render(void *user, const char *request, size_t len,
                                        pareto_reply *reply) {
  Napi::FunctionReference *render = static_cast<Napi::FunctionReference *>(user);
  Napi::Env env = render->Env();
  Napi::HandleScope scope(env);
  try {
    Napi::Value result = render->Call({Napi::String::New(env, request, len)});
    if (result.IsArray() && result.As<Napi::Array>().Length() == 2) {
      Napi::Array pair = result.As<Napi::Array>();
      Napi::Value text = pair.Get(1u);
      if (text.IsString()) {
        std::string reply_text = text.As<Napi::String>().Utf8Value();
        return pareto_bind_reply(reply, pair.Get(0u).ToBoolean().Value(), reply_text.data(),
                                 reply_text.size());
      }
    }
  } catch (const Napi::Error &e) {
    std::string message = e.Message();
    return pareto_bind_reply(reply, false, message.data(), message.size());
  }
  return pareto_bind_fail(reply, "the renderer did not return [ok, text]");
}

static void pareto_bind_release(void *user) {
  delete static_cast<Napi::FunctionReference *>(user);
}

static pareto_status pareto_bind_kinds_add(pareto_kinds *kinds, const char *definition,
                                           size_t len, pareto_bind_callable render) {
  Napi::FunctionReference *held =
      new Napi::FunctionReference(Napi::Persistent(render.As<Napi::Function>()));
  return pareto_kinds_add(kinds, definition, len, pareto_bind_render, held, pareto_bind_release);
}
#endif

/* What a returned buffer is when there is none: None, null. */
#ifdef SWIGPYTHON
#define PARETO_NONE SWIG_Py_Void()
#else
#define PARETO_NONE env.Null()
#endif
%}

typedef int pareto_status;

%constant int OK = PARETO_OK;
%constant int ERROR = PARETO_ERROR;
%constant int EINVALID = PARETO_EINVALID;
%constant int ENOMEM = PARETO_ENOMEM;
%constant int EARG = PARETO_EARG;
%constant int EIO = PARETO_EIO;

/* pareto_app **out: the loaded handle, owned by the returned object (null when none). */
%typemap(in, numinputs=0, noblock=1) pareto_app **out (pareto_app *handle = NULL) {
  $1 = &handle;
}
%typemap(argout, noblock=1) pareto_app **out {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*descriptor, SWIG_POINTER_OWN));
}

/* char **out_json: a returned string, copied, then freed with pareto_free (null when none). */
%typemap(in, numinputs=0, noblock=1) char **out_json (char *json = NULL) {
  $1 = &json;
}
%typemap(argout, noblock=1, fragment="SWIG_FromCharPtr") char **out_json {
  %append_output(*$1 ? SWIG_FromCharPtr(*$1) : PARETO_NONE);
}
%typemap(freearg, noblock=1) char **out_json {
  pareto_free(*$1);
}

/* (char **out_data, size_t *out_len): returned bytes — Python bytes, a Node Buffer — copied,
   then freed with pareto_free (null when none). */
%typemap(in, numinputs=0, noblock=1) (char **out_data, size_t *out_len)
    (char *data = NULL, size_t size = 0) {
  $1 = &data;
  $2 = &size;
}
%typemap(argout, noblock=1) (char **out_data, size_t *out_len) {
%#ifdef SWIGPYTHON
  %append_output(*$1 ? PyBytes_FromStringAndSize(*$1, (Py_ssize_t)*$2) : PARETO_NONE);
%#else
  %append_output(*$1 ? Napi::Buffer<char>::Copy(env, *$1, *$2).As<Napi::Value>() : PARETO_NONE);
%#endif
}
%typemap(freearg, noblock=1) (char **out_data, size_t *out_len) {
  pareto_free(*$1);
}

%apply (const char *STRING, size_t LENGTH) { (const char *text, size_t len) };

/* pareto_kinds **out: a new set of kinds, owned by the returned object. */
%typemap(in, numinputs=0, noblock=1) pareto_kinds **out (pareto_kinds *handle = NULL) {
  $1 = &handle;
}
%typemap(argout, noblock=1) pareto_kinds **out {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*descriptor, SWIG_POINTER_OWN));
}
/* pareto_bind_callable: a Python callable, a JavaScript function. */
%typemap(in) pareto_bind_callable {
%#ifdef SWIGPYTHON
  if (!PyCallable_Check($input)) SWIG_exception_fail(SWIG_TypeError, "render must be callable");
%#else
  if (!$input.IsFunction()) SWIG_exception_fail(SWIG_TypeError, "render must be a function");
%#endif
  $1 = $input;
}
%apply (const char *STRING, size_t LENGTH) { (const char *definition, size_t len) };

%rename(new_kinds) pareto_kinds_new;
pareto_status pareto_kinds_new(pareto_kinds **out);

%rename(Kinds) pareto_kinds;
%rename(errors) pareto_kinds::errors_json;
%rename(add) pareto_kinds::add_kind;  /* pareto_kinds_add is the C API's own name */
%nodefaultctor pareto_kinds;
struct pareto_kinds {};
%extend pareto_kinds {
  ~pareto_kinds() { pareto_kinds_free($self); }
  const char *errors_json() const { return pareto_kinds_errors($self); }
  pareto_status add_kind(const char *definition, size_t len, pareto_bind_callable render) {
    return pareto_bind_kinds_add($self, definition, len, render);
  }
}

%rename(load) pareto_bind_load;
pareto_status pareto_bind_load(pareto_app **out, const char *text, size_t len,
                               const char *source_name, const char *base_dir,
                               const pareto_kinds *kinds, const char *stage);
%rename(load_path) pareto_bind_load_path;
pareto_status pareto_bind_load_path(pareto_app **out, const char *path, const pareto_kinds *kinds,
                                    const char *stage);

/* The methods' C names differ from the API's (pareto_app_errors, ...), which they call. */
%rename(App) pareto_app;
%rename(errors) pareto_app::errors_json;
%rename(name) pareto_app::name_text;
%rename(stage) pareto_app::stage_text;
%rename(kind_modules) pareto_app::kind_modules_json;
%rename(synth) pareto_app::synth_json;
%rename(functions) pareto_app::functions_json;
%rename(nested_stacks) pareto_app::nested_stacks_json;
%rename(budget) pareto_app::budget_text;
%rename(graph) pareto_app::graph_text;
%rename(package) pareto_app::package_zip;
%rename(rules) pareto_app::rules_json;
%nodefaultctor pareto_app;
struct pareto_app {};
%extend pareto_app {
  ~pareto_app() { pareto_app_free($self); }
  const char *errors_json() const { return pareto_app_errors($self); }
  const char *name_text() const { return pareto_app_name($self); }
  const char *stage_text() const {  /* "" rather than NULL, which not every language's strings take */
    const char *stage = pareto_app_stage($self);
    return stage ? stage : "";
  }
  pareto_status kind_modules_json(char **out_json) const {
    return pareto_app_kind_modules($self, out_json);
  }
  pareto_status synth_json(char **out_json) const { return pareto_app_synth($self, out_json); }
  pareto_status functions_json(char **out_json) const {
    return pareto_app_functions($self, out_json);
  }
  pareto_status nested_stacks_json(char **out_json) const {
    return pareto_app_nested_stacks($self, out_json);
  }
  pareto_status budget_text(const char *format, char **out_json) const {
    return pareto_app_budget($self, format, out_json);
  }
  pareto_status graph_text(const char *format, char **out_json) const {
    return pareto_app_graph($self, format, out_json);
  }
  pareto_status package_zip(const char *name, const char *dependencies, char **out_data,
                            size_t *out_len) const {
    return pareto_app_package($self, name, dependencies, out_data, out_len);
  }
  pareto_status rules_json(const char *stage, char **out_json) const {
    return pareto_app_rules($self, stage, out_json);
  }
}

/* pareto_rules **out: the compiled rule set, owned by the returned object (null when none). */
%typemap(in, numinputs=0, noblock=1) pareto_rules **out (pareto_rules *handle = NULL) {
  $1 = &handle;
}
%typemap(argout, noblock=1) pareto_rules **out {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*descriptor, SWIG_POINTER_OWN));
}
%apply (const char *STRING, size_t LENGTH) { (const char *rules_json, size_t len) };
%apply (const char *STRING, size_t LENGTH) { (const char *event_json, size_t len) };

%rename(compile_rules) pareto_rules_compile;
pareto_status pareto_rules_compile(pareto_rules **out, const char *rules_json, size_t len);

%rename(Rules) pareto_rules;
%rename(errors) pareto_rules::errors_json;
%rename(match) pareto_rules::match_json;
%nodefaultctor pareto_rules;
struct pareto_rules {};
%extend pareto_rules {
  ~pareto_rules() { pareto_rules_free($self); }
  const char *errors_json() const { return pareto_rules_errors($self); }
  pareto_status match_json(const char *event_json, size_t len, char **out_json) const {
    return pareto_rules_match($self, event_json, len, out_json);
  }
}

/* pareto_flow **out: a running command, owned by the returned object (null when none). */
%typemap(in, numinputs=0, noblock=1) pareto_flow **out (pareto_flow *handle = NULL) {
  $1 = &handle;
}
%typemap(argout, noblock=1) pareto_flow **out {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*descriptor, SWIG_POINTER_OWN));
}
%apply (const char *STRING, size_t LENGTH) { (const char *request_json, size_t len) };
%apply (const char *STRING, size_t LENGTH) { (const char *answer_json, size_t len) };

%rename(start_flow) pareto_flow_start;
pareto_status pareto_flow_start(pareto_flow **out, const char *request_json, size_t len);

%rename(Flow) pareto_flow;
%rename(next) pareto_flow::next_step;
%rename(blob) pareto_flow::blob_bytes;
%rename(lend) pareto_flow::lend_handle;
%nodefaultctor pareto_flow;
struct pareto_flow {};
%extend pareto_flow {
  ~pareto_flow() { pareto_flow_free($self); }
  pareto_status next_step(const char *answer_json, size_t len, char **out_json) {
    return pareto_flow_next($self, answer_json, len, out_json);
  }
  pareto_status blob_bytes(char **out_data, size_t *out_len) const {
    return pareto_flow_blob($self, out_data, out_len);
  }
  pareto_status lend_handle(const pareto_app *app) { return pareto_flow_lend_app($self, app); }
}

%rename("%(strip:[pareto_])s") "";
const char *pareto_strerror(pareto_status status);
const char *pareto_version(void);
int pareto_version_number(void);
const char *pareto_config_schema(void);
