/*
 * pareto.h — the C API of libpareto, the only ABI-stable header.
 *
 * Conventions: opaque handles, functions prefixed pareto_, status codes (0 ok, < 0 a
 * pareto_code), the user's mistakes as data on the handle (pareto_app_errors), UTF-8 JSON in
 * and out, every returned buffer freed with pareto_free, no global mutable state: distinct
 * handles may be used from distinct threads, and a loaded app is immutable, so any number of
 * threads may read one. NULL or garbage arguments return PARETO_EARG; nothing asserts.
 */
#ifndef PARETO_H
#define PARETO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(PARETO_SHARED)
#  ifdef PARETO_BUILDING
#    define PARETO_EXTERN(type) __declspec(dllexport) type
#  else
#    define PARETO_EXTERN(type) __declspec(dllimport) type
#  endif
#elif defined(__GNUC__)
#  define PARETO_EXTERN(type) __attribute__((visibility("default"))) type
#else
#  define PARETO_EXTERN(type) type
#endif

#define PARETO_VERSION_MAJOR 0
#define PARETO_VERSION_MINOR 1
#define PARETO_VERSION_PATCH 0
#define PARETO_VERSION_STRING "0.1.0"
#define PARETO_VERSION_NUMBER \
  (PARETO_VERSION_MAJOR * 10000 + PARETO_VERSION_MINOR * 100 + PARETO_VERSION_PATCH)

/* A loaded app description: its errors, or its synthesized template. Immutable after load. */
typedef struct pareto_app pareto_app;

/* 0 on success, otherwise one of pareto_code (values never change). */
typedef int pareto_status;
typedef enum {
  PARETO_OK = 0,
  PARETO_ERROR = -1,    /* internal failure: a bug in pareto, reported, never a crash */
  PARETO_EINVALID = -2, /* the app description has errors: read pareto_app_errors */
  PARETO_ENOMEM = -3,   /* out of memory */
  PARETO_EARG = -4,     /* a NULL or malformed argument */
  PARETO_EIO = -5       /* a file could not be read */
} pareto_code;

/*
 * Custom component kinds: an app or a team adds its own kinds without forking pareto. A kind is
 * a definition (JSON: {"key": "streams", "noun": "stream", "suffix": "stream", "schema": the JSON
 * Schema of one entry, "references": {"writers": "actions"}, "variable": true}) and a renderer
 * that turns one entry into resources, outputs and IAM grants on the actions it names. Kinds are
 * collected on a pareto_kinds handle and passed to a load (pareto_load_options.kinds); nothing is
 * registered globally. README "Custom components" gives the request and reply of a renderer.
 */
typedef struct pareto_kinds pareto_kinds;

/* Where a renderer puts its answer: the reply (JSON text) or, on failure, why. */
typedef struct pareto_reply pareto_reply;

/*
 * A renderer: `request` (JSON text, len bytes, NUL-terminated) in; it calls pareto_reply_set
 * with its reply and returns PARETO_OK, or returns any other status having set the reason it
 * failed. It runs during a load, on the loading thread; a kinds handle used by several loads at
 * once needs renderers that may run at once.
 */
typedef pareto_status (*pareto_render_fn)(void *user, const char *request, size_t len,
                                          pareto_reply *reply);

/* Sets the reply (text is copied). PARETO_EARG for a NULL reply, or NULL text with len > 0. */
PARETO_EXTERN(pareto_status)
pareto_reply_set(pareto_reply *reply, const char *text, size_t len);

/* A new, empty set of kinds; freed with pareto_kinds_free. */
PARETO_EXTERN(pareto_status) pareto_kinds_new(pareto_kinds **out);

/*
 * Adds a kind from its definition (JSON text of len bytes) and its renderer, called with `user`.
 * PARETO_EINVALID when the definition is wrong: its problems are pareto_kinds_errors, and the
 * kind is not added. release(user), unless NULL, is called once the kind is no longer used: when
 * the kinds are freed, or at once when the kind is not added.
 */
PARETO_EXTERN(pareto_status)
pareto_kinds_add(pareto_kinds *kinds, const char *definition, size_t len,
                 pareto_render_fn render, void *user, void (*release)(void *user));

/* The problems of the last definition added, [{"path", "message", "check"}] ("[]" none);
   borrowed until the next pareto_kinds_add or pareto_kinds_free. */
PARETO_EXTERN(const char *) pareto_kinds_errors(const pareto_kinds *kinds);

/* Frees a set of kinds (apps loaded with them stay valid); NULL is a no-op. */
PARETO_EXTERN(void) pareto_kinds_free(pareto_kinds *kinds);

typedef struct {
  unsigned int version;    /* PARETO_LOAD_OPTIONS_VERSION (1 has no kinds, 2 no stage) */
  const char *source_name; /* names the text in messages, e.g. "pareto.yaml"; NULL: "<input>" */
  const char *base_dir;    /* where handler sources live, for variables found in code; NULL:
                              sources are not scanned (pareto_app_load only) */
  const pareto_kinds *kinds; /* custom component kinds; NULL: the built-in ones only */
  const char *stage;       /* the stage whose settings (the "stages" key) apply, e.g. "prod";
                              NULL: the app's own. Every stage's settings are checked either way */
} pareto_load_options;
#define PARETO_LOAD_OPTIONS_VERSION 3
#define PARETO_LOAD_OPTIONS_INIT {PARETO_LOAD_OPTIONS_VERSION, NULL, NULL, NULL, NULL}

/*
 * Loads, validates and synthesizes an app description given as YAML 1.2 or JSON text of len
 * bytes. Sets *out whenever it returns PARETO_OK or PARETO_EINVALID (as sqlite3_open does); the
 * caller frees it with pareto_app_free. opts may be NULL.
 */
PARETO_EXTERN(pareto_status)
pareto_app_load(pareto_app **out, const char *text, size_t len, const pareto_load_options *opts);

/*
 * Loads an app from a path: a pareto.yaml (or .yml / .json) file, or the folder holding one.
 * Handler sources are read relative to the file's folder. opts->base_dir is ignored.
 */
PARETO_EXTERN(pareto_status)
pareto_app_load_path(pareto_app **out, const char *path, const pareto_load_options *opts);

/*
 * Every error found, as a JSON array of {"file", "path", "line", "column", "message", "check"}
 * ("[]" when there are none). Borrowed: valid until pareto_app_free. NULL app: NULL.
 */
PARETO_EXTERN(const char *) pareto_app_errors(const pareto_app *app);

/*
 * The modules the app names to register its custom kinds (its "kinds" key), as a JSON array of
 * paths relative to the app ("[]" none), whenever the description parses, errors or not: a
 * front end loads them, registers their kinds and loads the app again with them. Freed with
 * pareto_free.
 */
PARETO_EXTERN(pareto_status) pareto_app_kind_modules(const pareto_app *app, char **out_json);

/* The app's name (the "app" key), borrowed; "" when the description has none. */
PARETO_EXTERN(const char *) pareto_app_name(const pareto_app *app);

/* The folder its handler sources are read from, borrowed; NULL when none was given. */
PARETO_EXTERN(const char *) pareto_app_base_dir(const pareto_app *app);

/* The stage whose settings it was loaded with (pareto_load_options.stage), borrowed; NULL: the
   app's own. */
PARETO_EXTERN(const char *) pareto_app_stage(const pareto_app *app);

/*
 * The CloudFormation template as JSON (UTF-8, deterministic: the same input gives the same
 * bytes on every platform). *out_json is freed with pareto_free. PARETO_EINVALID when the app
 * has errors.
 */
PARETO_EXTERN(pareto_status) pareto_app_synth(const pareto_app *app, char **out_json);

/*
 * The nested stacks of an app past one stack's quotas (500 resources, 200 parameters or
 * outputs, 1 MB), as a JSON array of {"name", "key", "template"}: "name" is the stack's logical
 * id in the parent template pareto_app_synth gives, "key" where a deploy uploads "template"
 * (text, byte for byte) in the ArtifactsBucket the parent's TemplateURLs name. "[]" when the app
 * fits one stack. Freed with pareto_free. PARETO_EINVALID when the app has errors.
 */
PARETO_EXTERN(pareto_status) pareto_app_nested_stacks(const pareto_app *app, char **out_json);

/*
 * Which config entry each logical id (resource, output, parameter) was made for, as a JSON
 * object {"UsersTable": "/tables/0"}, "" for what the app as a whole makes. Freed with
 * pareto_free. PARETO_EINVALID when the app has errors.
 */
PARETO_EXTERN(pareto_status) pareto_app_origins(const pareto_app *app, char **out_json);

/*
 * The app with its stacks placed for a deployed stack, as a new handle: placement_json is a
 * JSON object {"<logical id>": "<nested stack>"} saying which nested stack ("Stack03") holds each
 * deployed resource, "" for the parent's own (the one stack of an app that fitted one). Every
 * deployed resource stays where it is, since moving one between stacks deletes it in one and
 * makes it again in the other; new components fill the stacks with room, then new ones. Sets
 * *out whenever it returns PARETO_OK or PARETO_EINVALID; when a stack can no longer hold what it
 * has, the errors are on *out (pareto_app_errors). Freed with pareto_app_free. PARETO_EARG when
 * placement_json is not such an object; PARETO_EINVALID (and no *out) when app has errors.
 */
PARETO_EXTERN(pareto_status)
pareto_app_place(const pareto_app *app, const char *placement_json, pareto_app **out);

/*
 * What the app uses of the quotas AWS holds it to: per stack the template's bytes (minified)
 * against 51,200 inline and 1 MB through S3, resources, parameters and outputs against 500, 200
 * and 200; each role's inline policy and each managed policy in characters; each function's
 * resource policy in bytes (estimated); targets per rule; resources per API; each physical name's
 * length with the longest stage name allowed. Each with the config entry that costs it (a JSON
 * pointer, "" for the whole app), least headroom first. format "json": [{"quota", "subject",
 * "used", "limit", "headroom", "entry"}]; "text": an aligned table; anything else is PARETO_EARG.
 * Freed with pareto_free. PARETO_EINVALID when the app has errors.
 */
PARETO_EXTERN(pareto_status)
pareto_app_budget(const pareto_app *app, const char *format, char **out_text);

/*
 * The app's code as a JSON array: one archive per action, {"action", "path", "runtime",
 * "handler", "shared", "key", "digest", "dependencies"}, then one per builder, {"builder", "path",
 * "shared", "key", "digest", "dependencies"}. "path" is the folder at the archive's root;
 * "shared" the folders shipped in it, each under its own name; "key" the S3Key the template
 * gives it (a string, or {"Fn::Sub": ...} naming the runtime's version parameter when it has
 * dependencies, which are built for that version); "digest" the sha256 of what it is made from;
 * "dependencies" null or {"installer": "pip" | "npm", "manifests": [paths]}. Freed with
 * pareto_free.
 */
PARETO_EXTERN(pareto_status) pareto_app_functions(const pareto_app *app, char **out_json);

/*
 * The app's diagram: components grouped by kind, bindings and uses as labelled edges. format is
 * "mermaid" (a flowchart) or "dot" (Graphviz); anything else is PARETO_EARG. *out_text is freed
 * with pareto_free. PARETO_EINVALID when the app has errors.
 */
PARETO_EXTERN(pareto_status)
pareto_app_graph(const pareto_app *app, const char *format, char **out_text);

/*
 * The archive of one action or builder (name: as pareto_app_functions gives it, or
 * "actions/NAME", "builders/NAME"): a deterministic zip of its folder, its shared folders and
 * its installed dependencies — entries sorted, timestamps fixed, tests, caches and hidden files
 * left out — the same bytes from every front end. dependencies: the folder they were installed
 * in (pip --target, or where npm ci ran), or NULL or "" for the build cache's, for the template's
 * default runtime versions, as the package command leaves it. *out_data (*out_len bytes) is
 * freed with pareto_free. PARETO_EARG when the app was not loaded with a base directory or has
 * no such code, PARETO_EINVALID when it has errors, PARETO_EIO when a file cannot be read or its
 * dependencies were not built.
 */
PARETO_EXTERN(pareto_status)
pareto_app_package(const pareto_app *app, const char *name, const char *dependencies,
                   char **out_data, size_t *out_len);

/* Frees an app; NULL is a no-op. */
PARETO_EXTERN(void) pareto_app_free(pareto_app *app);

/*
 * Commands as flows. Every command of the pareto command line (validate, synth, deploy, diff,
 * destroy, outputs, logs, ...) runs in the core as a flow that performs no I/O toward AWS, the
 * terminal or the clock: it yields steps, JSON objects for the host to perform, and takes their
 * answers, as h11 and nghttp2 do for their protocols. A host loops:
 *
 *   pareto_flow_start(&flow, request, len);
 *   for (answer = NULL;; answer = what the host did) {
 *     pareto_flow_next(flow, answer, answer_len, &step);   step is {"step": KIND, ...}
 *     if KIND is "done": the exit status is step.exit, a library call's value step.result
 *   }
 *   pareto_flow_free(flow);
 *
 * The request: {"argv": [...] (without the program's name), "host": "python" | "node" | a name,
 * "aws": true when the host performs "call" steps, "interactive": true when stdin is a terminal,
 * "colour": true when stderr is a terminal that takes ANSI colours (and NO_COLOR is unset),
 * "now_ms": the host's clock (epoch ms), "seed": the retry jitter's seed}. The steps and their
 * answers (answers are JSON text; a step that needs none is answered with null):
 *
 *   call     {service, operation, params}  boto3's service name, the API's operation and member
 *            names; a member {"$bytes": base64} is binary. Answer {"response": {...}} in the
 *            API's shape (timestamps as ISO 8601 UTC strings "2026-12-01T09:30:00.000Z",
 *            binary as base64), or {"error": {"code", "message", "status"}} (status 0 when
 *            no HTTP answer came: a dropped connection is code "NetworkingError").
 *   upload   {bucket, key, bytes}  an S3 PutObject of the bytes pareto_flow_blob gives;
 *            answered like a call.
 *   connect  {profile, region, endpoint, credentials}  the SDK's session for the calls that
 *            follow; answer {"region": the region the SDK resolved} or {"error": {...}}.
 *   emulator {keep}  start moto's server on a free 127.0.0.1 port (python -m pareto.moto_server),
 *            stopped when the flow ends unless keep; answer {"endpoint": url} or {"error"}.
 *   load     {path, kinds, stage, again}  load the app at path with the custom kind modules
 *            given, for the stage (pareto_load_options.stage), and lend it with
 *            pareto_flow_lend_app (again, or another stage: load it anew from its files, as they
 *            are now; the app lent before may then be freed); answer {"loaded": true},
 *            {"errors": [...]} (as pareto_app_errors) or {"error": {"message"}} (no such app: a
 *            usage error).
 *   run      {argv, cwd, env, input}  run a process (argv[0] "python" or "node": the host's
 *            own interpreter) with env added to the host's, and input (when given) on its stdin;
 *            answer {"exit": n, "output": stdout then stderr}.
 *   serve    {name, port}  (pareto dev) an HTTP server on 127.0.0.1:port (0: a free one) whose
 *            requests wait for "respond"; answer {"port": n} or {"error": {"message"}}.
 *   start    {argv, cwd, env, input}  (pareto dev) start a process as "run" does, without
 *            waiting for it: answer {"process": id} or {"error": {"message"}}; its end comes
 *            by "incoming".
 *   incoming {milliseconds, lines}  the next event, waited for at most that long: answer
 *            {"now_ms": the host's clock} and at most one of
 *            "request": {id, server: the name served, method, target: path and query,
 *                        headers: [[name, value], ...], body: base64}  to a served port;
 *            "exited": {process, exit, stdout, stderr, milliseconds: how long it ran};
 *            "line": a line typed on stdin (read from the first step with lines true).
 *   respond  {id, status, headers: {name: value}, body: base64}  the answer to request id.
 *   fetch    {url}  (pareto dev) GET a URL of the emulator's (a user pool's JWKS): answer
 *            {"status": n, "body": text} or {"error": {"message"}}.
 *   tool     {name}  the installer "pip" or "npm" the host runs dependencies' installs with:
 *            answer {"argv": [...], "version": "24.3.1"} when it knows its version without
 *            starting it, or null (then pip is ["python", "-m", "pip"], npm ["npm"], asked for
 *            their --version with a "run" step).
 *   wait     {milliseconds}     sleep.
 *   write    {stream, text}     "stdout" or "stderr".
 *   ask      {question, secret} answer true/false, or the text typed when secret.
 *   done     {exit, result}     the end; further calls return it again. A command that
 *            failed has result {"error": what it said after "pareto: "}.
 *
 * pareto_flow_next returns PARETO_EARG when the answer is not JSON (the flow is unchanged).
 */
typedef struct pareto_flow pareto_flow;

PARETO_EXTERN(pareto_status)
pareto_flow_start(pareto_flow **out, const char *request_json, size_t len);
PARETO_EXTERN(pareto_status)
pareto_flow_next(pareto_flow *flow, const char *answer_json, size_t len, char **out_json);
/* The bytes of the current "upload" step (a copy, freed with pareto_free). */
PARETO_EXTERN(pareto_status)
pareto_flow_blob(const pareto_flow *flow, char **out_data, size_t *out_len);
/* Lends the flow the app a "load" step asked for; it must outlive the flow. */
PARETO_EXTERN(pareto_status) pareto_flow_lend_app(pareto_flow *flow, const pareto_app *app);
/* Frees a flow; NULL is a no-op. */
PARETO_EXTERN(void) pareto_flow_free(pareto_flow *flow);

/*
 * EventBridge event patterns. A rule set is compiled once from a JSON object of names to
 * patterns ({"uploads": {"source": ["aws.s3"]}}) and then matched against many events. Like an
 * app, an invalid set is still returned, with PARETO_EINVALID and its errors as JSON on the
 * handle ([{path, message, check}], paths "/<name>/<JSON path in the pattern>"); it matches
 * nothing.
 */
typedef struct pareto_rules pareto_rules;

PARETO_EXTERN(pareto_status)
pareto_rules_compile(pareto_rules **out, const char *rules_json, size_t len);

/* "[]" when the set is valid. Borrowed: valid until pareto_rules_free. NULL rules: NULL. */
PARETO_EXTERN(const char *) pareto_rules_errors(const pareto_rules *rules);

/*
 * The names of the rules the event (a JSON object) matches, as a JSON array in name order;
 * freed with pareto_free. PARETO_EARG when the event is not JSON, or is nested deeper than
 * 1,000 levels (event-ruler's limit).
 */
PARETO_EXTERN(pareto_status)
pareto_rules_match(const pareto_rules *rules, const char *event_json, size_t len,
                   char **out_names);

/*
 * The app's event rules as deployed to `stage`, ready for pareto_rules_compile:
 * {"rules": {logical id: pattern}, "skipped": {logical id: why}} (a pattern that needs a value
 * only a deployment knows is skipped). Freed with pareto_free. PARETO_EINVALID when the app has
 * errors.
 */
PARETO_EXTERN(pareto_status)
pareto_app_rules(const pareto_app *app, const char *stage, char **out_json);

/* Frees a rule set; NULL is a no-op. */
PARETO_EXTERN(void) pareto_rules_free(pareto_rules *rules);

/* Frees every buffer pareto returns through a char ** out-parameter; NULL is a no-op. */
PARETO_EXTERN(void) pareto_free(void *p);

/* A static description of a status code. */
PARETO_EXTERN(const char *) pareto_strerror(pareto_status status);

/* The library's version, "MAJOR.MINOR.PATCH", and as PARETO_VERSION_NUMBER. */
PARETO_EXTERN(const char *) pareto_version(void);
PARETO_EXTERN(int) pareto_version_number(void);

/* The JSON Schema of pareto.yaml, borrowed (static). */
PARETO_EXTERN(const char *) pareto_config_schema(void);

#ifdef __cplusplus
}
#endif

#endif /* PARETO_H */
