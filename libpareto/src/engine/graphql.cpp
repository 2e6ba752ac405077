#include "engine/graphql.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <vector>

namespace pareto::engine {

namespace {
using json = nlohmann::json;
using Token = GraphqlToken;

struct Selection {
  enum Kind { kField, kSpread, kInline } kind = kField;
  std::string alias, name;  // a field's; a spread's fragment
  std::string condition;    // an inline fragment's type condition ("" for none)
  GraphqlArguments arguments;
  std::vector<GraphqlDirective> directives;
  std::vector<Selection> selections;
  int line = 0, column = 0;
  const std::string& key() const { return alias.empty() ? name : alias; }
};
using Selections = std::vector<const std::vector<Selection>*>;  // the merged fields' sub-selections

struct Operation {
  std::string kind = "query", name;
  std::vector<std::pair<std::string, std::optional<GraphqlValue>>> variables;  // with defaults
  std::vector<Selection> selections;
};

struct Fragment {
  std::string condition;
  std::vector<Selection> selections;
};

struct Document {
  std::vector<Operation> operations;
  std::map<std::string, Fragment> fragments;
};

// The executable definitions (the spec's section 2): operations and fragments.
class Parser : GraphqlCursor {
 public:
  explicit Parser(std::vector<Token> tokens) : GraphqlCursor(std::move(tokens), "the end of the query") {}

  Document document() {
    Document out;
    if (peek().kind == Token::kEnd) fail(peek(), "the query has no operation");
    while (peek().kind != Token::kEnd) {
      if (is("{")) {  // the query shorthand
        Operation operation;
        operation.selections = selection_set();
        out.operations.push_back(std::move(operation));
        continue;
      }
      const Token keyword = peek();
      std::string word = name();
      if (word == "fragment") {
        std::string fragment = name();
        expect("on");
        Fragment definition{name(), {}};
        directives();
        definition.selections = selection_set();
        if (!out.fragments.emplace(fragment, std::move(definition)).second)
          fail(keyword, fmt::format("there are two fragments named \"{}\"", fragment));
      } else if (word == "query" || word == "mutation" || word == "subscription") {
        Operation operation;
        operation.kind = word;
        if (peek().kind == Token::kName) operation.name = next().text;
        if (accept("("))
          while (!accept(")")) {
            expect("$");
            std::string variable = name();
            expect(":");
            type();
            std::optional<GraphqlValue> fallback;
            if (accept("=")) fallback = value();
            directives();
            operation.variables.emplace_back(std::move(variable), std::move(fallback));
          }
        directives();
        operation.selections = selection_set();
        out.operations.push_back(std::move(operation));
      } else {
        fail(keyword, fmt::format("\"{}\" does not start an operation or a fragment", keyword.text));
      }
    }
    return out;
  }

 private:
  std::vector<Selection> selection_set() {
    GraphqlNesting nesting(*this);
    expect("{");
    std::vector<Selection> out;
    do out.push_back(selection());
    while (!accept("}"));
    return out;
  }

  Selection selection() {
    Selection out;
    out.line = peek().line;
    out.column = peek().column;
    if (accept("...")) {
      if (peek().kind == Token::kName && peek().text != "on") {
        out.kind = Selection::kSpread;
        out.name = name();
        out.directives = directives();
        return out;
      }
      out.kind = Selection::kInline;
      if (accept("on")) out.condition = name();
      out.directives = directives();
      out.selections = selection_set();
      return out;
    }
    out.name = name();
    if (accept(":")) {
      out.alias = std::move(out.name);
      out.name = name();
    }
    out.arguments = arguments();
    out.directives = directives();
    if (is("{")) out.selections = selection_set();
    return out;
  }
};

// A value with the variables' values in.
json value_of(const GraphqlValue& value, const json& variables) {
  switch (value.kind) {
    case GraphqlValue::kVariable:
      return variables.value(value.variable, json());
    case GraphqlValue::kList: {
      json out = json::array();
      for (const auto& item : value.items) out.push_back(value_of(item, variables));
      return out;
    }
    case GraphqlValue::kObject: {
      json out = json::object();
      for (size_t i = 0; i < value.keys.size(); ++i) out[value.keys[i]] = value_of(value.items[i], variables);
      return out;
    }
    default:
      return value.literal;
  }
}

// The arguments as the resolver gets them: one a request leaves its variable out of is absent.
json arguments_of(const GraphqlArguments& arguments, const json& variables) {
  json out = json::object();
  for (const auto& [name, value] : arguments)
    if (value.kind != GraphqlValue::kVariable || variables.contains(value.variable))
      out[name] = value_of(value, variables);
  return out;
}

// A value as a query writes it (for info.selectionSetGraphQL).
std::string written(const GraphqlValue& value) {
  switch (value.kind) {
    case GraphqlValue::kVariable:
      return "$" + value.variable;
    case GraphqlValue::kList: {
      std::vector<std::string> items;
      for (const auto& item : value.items) items.push_back(written(item));
      return fmt::format("[{}]", fmt::join(items, ", "));
    }
    case GraphqlValue::kObject: {
      std::vector<std::string> fields;
      for (size_t i = 0; i < value.keys.size(); ++i) fields.push_back(fmt::format("{}: {}", value.keys[i], written(value.items[i])));
      return fmt::format("{{{}}}", fmt::join(fields, ", "));
    }
    default:
      return value.literal.dump();
  }
}

std::string written(const std::vector<Selection>& selections, int indent) {
  std::string pad(static_cast<size_t>(indent) * 2, ' '), out = "{\n";
  for (const auto& s : selections) {
    std::vector<std::string> arguments, directives;
    for (const auto& [name, value] : s.arguments) arguments.push_back(fmt::format("{}: {}", name, written(value)));
    for (const auto& d : s.directives) {
      std::vector<std::string> given;
      for (const auto& [name, value] : d.arguments) given.push_back(fmt::format("{}: {}", name, written(value)));
      directives.push_back(given.empty() ? " @" + d.name : fmt::format(" @{}({})", d.name, fmt::join(given, ", ")));
    }
    std::string head = s.kind == Selection::kSpread   ? "..." + s.name
                       : s.kind == Selection::kInline ? (s.condition.empty() ? "..." : "... on " + s.condition)
                       : s.alias.empty()              ? s.name
                                                      : fmt::format("{}: {}", s.alias, s.name);
    if (!arguments.empty()) head += fmt::format("({})", fmt::join(arguments, ", "));
    out += fmt::format("{}  {}{}{}\n", pad, head, fmt::join(directives, ""),
                       s.selections.empty() ? "" : " " + written(s.selections, indent + 1));
  }
  return out + pad + "}";
}

json location(const Selection& selection) {
  return json::array({{{"line", selection.line}, {"column", selection.column}, {"sourceName", nullptr}}});
}

// A type as written, taken apart: "[Member!]!" is required, a list, of "Member!".
bool required(const std::string& type) { return type.ends_with('!'); }
std::string named(const std::string& type) {
  std::string out;
  for (char c : type)
    if (c != '[' && c != ']' && c != '!') out += c;
  return out;
}

// A field's completed value; `propagating` when a non-null field below came out null, so that
// the nearest nullable field above is null instead.
struct Completed {
  json value;
  bool propagating = false;
};

class Execution {
 public:
  Execution(const GraphqlApiModel& api, const Document& document, json variables, const GraphqlResolve& resolve)
      : schema_(api.schema), resolved_(api.resolved), document_(document), variables_(std::move(variables)),
        resolve_(resolve) {}

  json errors = json::array();

  // The checks AppSync makes before running anything, every failure said.
  void check(const std::string& type, const std::vector<Selection>& selections, const std::string& path,
             std::set<std::string>& fragments_seen) {
    for (const auto& s : selections) {
      std::string at = path.empty() ? s.key() : path + "/" + s.key();
      if (s.kind == Selection::kSpread) {
        auto fragment = document_.fragments.find(s.name);
        if (fragment == document_.fragments.end())
          validation(s, fmt::format("UndefinedFragment: Undefined fragment {} @ '{}'", s.name, path));
        else if (fragments_seen.insert(s.name).second)
          check_condition(s, fragment->second.condition, fragment->second.selections, path, fragments_seen);
        continue;
      }
      if (s.kind == Selection::kInline) {
        check_condition(s, s.condition.empty() ? type : s.condition, s.selections, path, fragments_seen);
        continue;
      }
      if (s.name == "__typename") {
        if (!s.selections.empty())
          validation(s, fmt::format("SubSelectionNotAllowed: Sub selection not allowed on leaf type String! of field __typename @ '{}'", at));
        continue;
      }
      if (s.name.starts_with("__")) {
        validation(s, fmt::format("pareto dev does not serve introspection ({}) @ '{}'", s.name, at));
        continue;
      }
      auto fields = schema_.field_types.find(type);
      if (fields == schema_.field_types.end() || !fields->second.count(s.name)) {
        validation(s, fmt::format("FieldUndefined: Field '{}' in type '{}' is undefined @ '{}'", s.name, type, at));
        continue;
      }
      const std::string& field_type = fields->second.at(s.name);
      if (composite(named(field_type)) && s.selections.empty())
        validation(s, fmt::format("SubSelectionRequired: Sub selection required for type {} of field {} @ '{}'",
                                  field_type, s.name, at));
      else if (!composite(named(field_type)) && !s.selections.empty())
        validation(s, fmt::format("SubSelectionNotAllowed: Sub selection not allowed on leaf type {} of field {} @ '{}'",
                                  field_type, s.name, at));
      else if (!s.selections.empty())
        check(named(field_type), s.selections, at, fragments_seen);
    }
  }

  // An object's selections, each field resolved or read from the object (`source`).
  Task<Completed> object(const std::string& type, const Selections& sets, const json& source, const json& path) {
    std::vector<std::pair<std::string, std::vector<const Selection*>>> grouped;
    std::set<std::string> spread;
    for (const auto* set : sets) collect(type, *set, grouped, spread);
    json out = json::object();
    for (const auto& [key, fields] : grouped) {
      json at = path;
      at.push_back(key);
      Completed done = co_await field(type, fields, source, at);
      if (done.propagating) co_return Completed{json(), true};
      out[key] = std::move(done.value);
    }
    co_return Completed{std::move(out)};
  }

 private:
  void validation(const Selection& at, const std::string& message) {
    errors.push_back({{"path", nullptr}, {"locations", location(at)},
                      {"message", message.starts_with("pareto") ? message : "Validation error of type " + message}});
  }

  void check_condition(const Selection& s, const std::string& condition, const std::vector<Selection>& selections,
                       const std::string& path, std::set<std::string>& fragments_seen) {
    if (!composite(condition))
      validation(s, fmt::format("UnknownType: Unknown type {} @ '{}'", condition, path));
    else
      check(condition, selections, path, fragments_seen);
  }

  bool composite(const std::string& type) const { return schema_.fields.count(type) || schema_.possible.count(type); }

  bool applies(const std::string& condition, const std::string& type) const {
    auto members = schema_.possible.find(condition);
    return condition.empty() || condition == type || (members != schema_.possible.end() && members->second.count(type));
  }

  // @skip(if:) and @include(if:).
  bool included(const std::vector<GraphqlDirective>& directives) const {
    for (const auto& d : directives) {
      json condition;
      for (const auto& [name, value] : d.arguments)
        if (name == "if") condition = value_of(value, variables_);
      if ((d.name == "skip" && condition == true) || (d.name == "include" && condition != true)) return false;
    }
    return true;
  }

  // The spec's CollectFields: fields by response key, through the fragments that apply.
  void collect(const std::string& type, const std::vector<Selection>& selections,
               std::vector<std::pair<std::string, std::vector<const Selection*>>>& out,
               std::set<std::string>& spread) const {
    for (const auto& s : selections) {
      if (!included(s.directives)) continue;
      if (s.kind == Selection::kField) {
        auto same = std::find_if(out.begin(), out.end(), [&](const auto& group) { return group.first == s.key(); });
        if (same == out.end()) out.emplace_back(s.key(), std::vector<const Selection*>{&s});
        else same->second.push_back(&s);
      } else if (s.kind == Selection::kSpread) {
        auto fragment = document_.fragments.find(s.name);
        if (spread.insert(s.name).second && fragment != document_.fragments.end() &&
            applies(fragment->second.condition, type))
          collect(type, fragment->second.selections, out, spread);
      } else if (applies(s.condition, type)) {
        collect(type, s.selections, out, spread);
      }
    }
  }

  // info.selectionSetList: every field below, as a path ("posts/title"), fragments spread.
  void listed(const std::vector<Selection>& selections, const std::string& path, json& out) const {
    for (const auto& s : selections) {
      if (s.kind == Selection::kSpread) {
        if (auto fragment = document_.fragments.find(s.name); fragment != document_.fragments.end())
          listed(fragment->second.selections, path, out);
        continue;
      }
      if (s.kind == Selection::kInline) {
        listed(s.selections, path, out);
        continue;
      }
      if (s.name == "__typename") continue;
      std::string at = path.empty() ? s.key() : path + "/" + s.key();
      if (std::find(out.begin(), out.end(), at) == out.end()) out.push_back(at);
      listed(s.selections, at, out);
    }
  }

  json event(const std::string& type, const Selection& field, const json& source) const {
    json list = json::array();
    listed(field.selections, "", list);
    json info = {{"fieldName", field.name}, {"parentTypeName", type}, {"variables", variables_},
                 {"selectionSetList", list},
                 {"selectionSetGraphQL", field.selections.empty() ? "" : written(field.selections, 0)}};
    return {{"arguments", arguments_of(field.arguments, variables_)}, {"source", source.is_object() ? source : json()},
            {"prev", nullptr}, {"stash", json::object()}, {"info", info}};
  }

  Task<Completed> field(const std::string& type, const std::vector<const Selection*>& fields, const json& source,
                        const json& path) {
    const Selection& first = *fields.front();
    if (first.name == "__typename") co_return Completed{type};
    const std::string field_type = schema_.field_types.at(type).at(first.name);
    json value;
    if (resolved_.count({type, first.name})) {
      Task<json> resolving = resolve_(GraphqlField{type, first.name, event(type, first, source)});
      json outcome = co_await resolving;
      if (outcome.contains("error")) {
        const json failure = outcome["error"];
        errors.push_back({{"path", path}, {"data", nullptr},
                          {"errorType", failure.value("errorType", "Lambda:Unhandled")}, {"errorInfo", nullptr},
                          {"locations", location(first)}, {"message", failure.value("errorMessage", "")}});
        co_return Completed{json(), required(field_type)};
      }
      value = outcome.value("result", json());
    } else if (source.is_object()) {
      value = source.value(first.name, json());
    }
    Selections sets;
    for (const auto* each : fields) sets.push_back(&each->selections);
    Completed done = co_await complete(field_type, value, sets, path, {&first, &type});
    co_return done;
  }

  // Where a value is completed: the field, and the type it is a field of.
  struct Place {
    const Selection* field;
    const std::string* parent;
  };

  // A value against its type: nulls checked, lists item by item, objects by their selections.
  Task<Completed> complete(const std::string& type, const json& value, const Selections& sets, const json& path,
                           Place at) {
    bool non_null = required(type);
    std::string nullable = non_null ? type.substr(0, type.size() - 1) : type;
    Completed done = co_await complete_value(nullable, value, sets, path, at);
    if (done.propagating) co_return non_null ? done : Completed{};
    if (non_null && done.value.is_null()) {
      field_error(at, path, fmt::format("Cannot return null for non-nullable type: '{}' within parent '{}' ({})",
                                        named(type), *at.parent, pointer(path)));
      co_return Completed{json(), true};
    }
    co_return done;
  }

  Task<Completed> complete_value(const std::string& type, const json& value, const Selections& sets,
                                 const json& path, Place at) {
    if (value.is_null()) co_return Completed{};
    if (type.starts_with('[')) {
      if (!value.is_array()) {
        field_error(at, path, fmt::format("Can't resolve value ({}) : type mismatch error, expected type LIST", pointer(path)));
        co_return Completed{json(), true};
      }
      std::string item = type.substr(1, type.size() - 2);
      json list = json::array();
      for (size_t i = 0; i < value.size(); ++i) {
        json item_path = path;
        item_path.push_back(i);
        Completed done = co_await complete(item, value[i], sets, item_path, at);
        if (done.propagating) co_return done;
        list.push_back(std::move(done.value));
      }
      co_return Completed{std::move(list)};
    }
    if (!composite(type)) co_return Completed{value};
    std::string concrete = type;
    if (schema_.possible.count(type)) {  // an interface or union: the value says which type it is
      concrete = value.is_object() ? value.value("__typename", "") : "";
      if (!schema_.possible.at(type).count(concrete)) {
        field_error(at, path, fmt::format("Could not determine the exact type of {}. Missing __typename key on value.", type));
        co_return Completed{json(), true};
      }
    }
    if (!value.is_object()) {
      field_error(at, path, fmt::format("Can't resolve value ({}) : type mismatch error, expected type {}", pointer(path), concrete));
      co_return Completed{json(), true};
    }
    Completed done = co_await object(concrete, sets, value, path);
    co_return done;
  }

  void field_error(Place at, const json& path, const std::string& message) {
    errors.push_back({{"path", path}, {"locations", location(*at.field)}, {"message", message}});
  }

  // "/me/posts[0]/title", as graphql-java says a path.
  static std::string pointer(const json& path) {
    std::string out;
    for (const auto& step : path) out += step.is_number() ? fmt::format("[{}]", step.dump()) : "/" + step.get<std::string>();
    return out;
  }

  const GraphqlSchema& schema_;
  const std::set<std::pair<std::string, std::string>>& resolved_;
  const Document& document_;
  json variables_;
  const GraphqlResolve& resolve_;
};

json failed(const std::string& message, std::optional<GraphqlError> at = std::nullopt) {
  json error = {{"path", nullptr}, {"message", message}};
  error["locations"] = at ? json::array({{{"line", at->line}, {"column", at->column}, {"sourceName", nullptr}}})
                          : json::array();
  return {{"data", nullptr}, {"errors", json::array({error})}};
}

}  // namespace

Task<json> answer_graphql(const GraphqlApiModel& api, const json& request, const GraphqlResolve& resolve) {
  if (!request.is_object() || !request.value("query", json()).is_string())
    co_return failed("the body is not a GraphQL request: {\"query\": \"…\", \"variables\": {…}}");
  Document document;
  try {
    document = Parser(graphql_tokens(request["query"].get<std::string>())).document();
  } catch (const GraphqlFailure& failure) {
    co_return failed("Invalid Syntax: " + failure.error.message, failure.error);
  }
  const json name = request.value("operationName", json());
  const Operation* operation = nullptr;
  for (const auto& each : document.operations)
    if (name.is_string() ? each.name == name.get<std::string>() : document.operations.size() == 1) operation = &each;
  if (!operation)
    co_return failed(name.is_string() ? fmt::format("Unknown operation named '{}'.", name.get<std::string>())
                                      : "Must provide operation name if query contains multiple operations.");
  if (operation->kind == "subscription") co_return failed("pareto dev does not serve subscriptions");
  const std::string root = api.schema.roots.at(operation->kind);
  if (!api.schema.fields.count(root)) co_return failed(fmt::format("Schema is not configured for {}s.", operation->kind));

  json given = request.value("variables", json::object());
  json variables = given.is_object() ? given : json::object();
  for (const auto& [variable, fallback] : operation->variables)
    if (!variables.contains(variable) && fallback) variables[variable] = value_of(*fallback, json::object());
  Execution execution(api, document, variables, resolve);
  std::set<std::string> fragments_seen;
  execution.check(root, operation->selections, "", fragments_seen);
  if (!execution.errors.empty()) co_return json{{"data", nullptr}, {"errors", execution.errors}};
  Selections sets{&operation->selections};
  Completed data = co_await execution.object(root, sets, json(), json::array());
  json out = {{"data", data.propagating ? json() : data.value}};
  if (!execution.errors.empty()) out["errors"] = execution.errors;
  co_return out;
}

}  // namespace pareto::engine
