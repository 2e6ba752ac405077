// What every component kind is written against: a Kind (its definition and hooks), the Model of
// the app, and the Checker and Renderer its hooks take. The built-in kinds live one per folder in
// libpareto/kinds/<kind>/ (code, schema fragment, charts, inline sources, tests, docs), listed
// in registry.cpp; a kind's folder is the one place that knows its checks, resources, grants and
// outputs.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.hpp"
#include "finalize/budget.hpp"
#include "render/graph.hpp"
#include "render/template.hpp"

namespace pareto {

struct Kind;
struct CustomKind;  // components/custom.hpp

// One entry of the app description: the 3rd table is {kind: tables, name, "/tables/2", spec}.
struct Component {
  const Kind* kind = nullptr;
  std::string name;
  std::string pointer;
  const nlohmann::json* spec = nullptr;

  const nlohmann::json& operator[](const char* key) const { return (*spec)[key]; }
  std::string string(const char* key) const { return spec->value(key, std::string()); }
  std::string id(std::string_view suffix) const;  // logical id: "<name>-<suffix>"
  std::string id() const;                         // the kind's main resource
};

// A variable the handler reads, and where it came from.
struct Variable {
  std::string name;
  std::string origin;  // "hello/get/index.py:3", or the config pointer of a declared one
};

// The app description after schema defaults, as components by kind.
struct Model {
  std::string app;
  std::vector<const Kind*> kinds;  // the built-ins and the load's custom kinds, in render order
  nlohmann::json config;
  std::map<std::string_view, std::vector<Component>> components;  // by Kind::key
  std::map<std::string, std::vector<Variable>> variables;  // action name → found in its code
  // The files kinds read beside the app (Kind::files), by path; none when the app was not
  // loaded from a folder.
  std::optional<std::map<std::string, std::string>> files;
  // Where each action's and builder's archive is ("actions/hello-get" → its S3Key).
  std::map<std::string, nlohmann::json> code_keys;

  const Kind* kind(std::string_view key) const;
  const std::vector<Component>& of(std::string_view key) const;
  const Component* find(std::string_view key, std::string_view name) const;
  // The component whose entry holds `pointer` ("/queues/3/action": queue 3); null if none.
  const Component* at(std::string_view pointer) const;
  void add(Component c);  // indexed by name and by pointer

 private:
  std::map<std::string, size_t> index_;  // "<key>/<name>" → position in components[key]
  std::map<std::string, std::pair<std::string_view, size_t>> by_pointer_;
};

// What a permission is scoped to: the stack resources a statement applies to.
struct Grant {
  std::vector<std::string> actions;      // "sqs:ReceiveMessage"
  std::vector<nlohmann::json> resources;  // ARNs (intrinsics); empty: "*"
  std::string origin;                    // the config entry that needs it
};

// An edge of the app's diagram: `from` triggers, uses or reaches `to`.
struct Link {
  const Component* from = nullptr;
  const Component* to = nullptr;
  std::string label;
  std::string pointer;  // the config entry that makes it
};

class Checker {
 public:
  Checker(const Model& model, Diagnostics& errors) : model_(model), errors_(errors) {}
  const Model& model() const { return model_; }

  // Reports unless `name` is a declared component of kind `key`; returns it when it is.
  const Component* require(std::string_view key, std::string_view name,
                           const std::string& pointer);
  // An action may be bound to one trigger (endpoint, queue, topic or timer); `label` names the
  // binding in the diagram (default: "triggers").
  void bind(const std::string& action, const std::string& pointer, std::string what,
            const std::string& label = "");
  // The reference at `pointer` is where events come from: its diagram edge runs from the
  // referenced component to the referring one, labelled `label`.
  void source(const std::string& pointer, const std::string& label);
  // A diagram edge that no reference makes (a variable the handler reads, say).
  void link(const Component& from, const Component& to, std::string label,
            const std::string& pointer);
  const std::vector<Link>& links() const { return links_; }
  // A physical name "<app>-<stage>-<name><extra>" must fit in `limit` characters.
  // Every name measured is a use of its quota (`pareto budget`).
  void name_length(const Component& c, std::string_view what, size_t extra, size_t limit);
  const std::vector<QuotaUse>& name_uses() const { return name_uses_; }
  void error(const std::string& pointer, std::string_view check, std::string message);

 private:
  const Model& model_;
  Diagnostics& errors_;
  std::map<std::string, std::pair<std::string, std::string>> bound_;  // action → pointer, what
  std::vector<Link> links_;
  std::map<std::string, std::vector<size_t>> links_at_;  // pointer → positions in links_
  std::vector<QuotaUse> name_uses_;
};

// A titled row of charts on the app's dashboards: `charts` is the embedded file of their
// definitions ("kinds/table/charts.json"), whose "{placeholder}" strings take `values` (Fn::Sub
// text: "${UsersTable}").
struct ChartRow {
  std::string title;
  std::string charts;
  std::map<std::string, std::string> values;
};

class Renderer {
 public:
  Renderer(const Model& model, Template& out, Diagnostics& errors)
      : model_(model), out_(out), errors_(errors) {}
  const Model& model() const { return model_; }

  void resource(const std::string& id, nlohmann::json resource, const std::string& origin);
  // A resource that holds the user's data (a table's items, a bucket's objects, a pool's users,
  // a secret's value): retained when its stack no longer holds it or replaces it, unless the
  // component, or else the app, says "retain: false".
  void data_resource(const Component& c, nlohmann::json definition);
  bool retains(const Component& c) const;
  void output(const std::string& id, nlohmann::json value, std::string description,
              const std::string& origin);
  void parameter(const std::string& id, nlohmann::json parameter, const std::string& origin);
  // The component's own tags (its "tags" key) on its main resource, as that type takes them.
  void tag(const Component& c);
  const nlohmann::json& parameters() const { return out_.parameters; }  // declared so far
  bool has(const std::string& id) const;
  void grant(const std::string& action, Grant grant);
  const std::vector<Grant>& grants(const std::string& action) const;
  void error(const std::string& pointer, std::string_view check, std::string message);
  // The charts of a component, in render order; drawn when the app has a dashboard.
  void charts(ChartRow row) { rows_.push_back(std::move(row)); }
  const std::vector<ChartRow>& chart_rows() const { return rows_; }
  // The app's "dashboard" or "alarms" options with their defaults; null when off.
  const nlohmann::json& options(const char* key) const;

  // {"Fn::Sub": "<app>-${StageName}-<name><extra>"}: physical names derive from the stack.
  nlohmann::json physical_name(std::string_view name, std::string_view extra = "",
                               std::string_view separator = "-") const;

 private:
  const Model& model_;
  Template& out_;
  Diagnostics& errors_;
  std::map<std::string, std::vector<Grant>> grants_;
  std::vector<ChartRow> rows_;
};

// A component kind: its definition (the key and names it goes by; its entries' schema is its
// folder's schema.json, a custom kind's its own) and the hooks that check and render its entries.
// Declared with designated initializers, built-in and custom kinds alike: check and render are
// required, and an optional hook left unset does nothing.
struct Kind {
  std::string_view key;      // in pareto.yaml: "tables"
  std::string_view noun;     // in messages: "table"
  std::string_view suffix;   // of logical ids and variables: "table" → UsersTable, USERS_TABLE
  std::string_view service = {};  // IAM service prefix of its resources: "dynamodb"; "" none

  void (*check)(Checker&, const Component&) = nullptr;
  void (*render)(Renderer&, const Component&) = nullptr;
  // The value of its <NAME>_<KIND> variable; null when handlers do not reach it so.
  nlohmann::json (*variable)(const Component&) = nullptr;
  // The ARNs that scope permissions of `service` when an action uses it.
  std::vector<nlohmann::json> (*arns)(const Component&) = nullptr;
  // The event pattern that selects its events on EventBridge (actions[].events with
  // source.type = the kind's noun); null when it sends none.
  nlohmann::json (*event_source)(const Component&) = nullptr;
  // What an entry takes that its schema's defaults cannot give (a path derived from its name).
  void (*defaults)(nlohmann::json& entry) = nullptr;
  // The files beside the app it reads (a GraphQL schema), each with the config entry naming it:
  // read into Model::files, and an error where one is missing.
  std::vector<std::pair<std::string, std::string>> (*files)(const Component&) = nullptr;
  // What else it reads beside the app, loaded from a folder (an action's handler and the
  // variables its code reads).
  void (*read)(Model&, const Component&, const std::filesystem::path& app_dir,
               Diagnostics&) = nullptr;
  // What it adds to the app's diagram besides its own node (a streaming table's router), and
  // the node its links leave from instead of its own; null: its own.
  nlohmann::json (*diagram)(const Component&, Diagram&) = nullptr;
  // What a custom kind's generic check and render read (components/custom.hpp); null: built in.
  const CustomKind* custom = nullptr;
};

// Every built-in kind, in render order (actions last: their roles gather every other kind's
// grants). An app's kinds, custom ones too, are Model::kinds.
std::span<const Kind* const> kinds();
const Kind* find_kind(std::string_view key);
const Kind* find_kind_by_suffix(std::string_view suffix);  // "userpool" → userpools

// The longest stage name StageName allows; physical names are checked against it.
inline constexpr size_t kMaxStageLength = 16;

// Intrinsic-function shorthands.
namespace cfn {
nlohmann::json ref(std::string_view id);
nlohmann::json get_att(std::string_view id, std::string_view attribute);
nlohmann::json sub(std::string text);
}  // namespace cfn

}  // namespace pareto
