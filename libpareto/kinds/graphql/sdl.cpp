#include "kinds/graphql/sdl.hpp"

#include <fmt/format.h>

#include <vector>

namespace pareto {

namespace {

using Token = GraphqlToken;

// The type system definitions (GraphQL spec, section 3), keeping object and interface fields
// and the schema's root types, and reading past everything else by its grammar.
class Reader : GraphqlCursor {
 public:
  explicit Reader(std::vector<Token> tokens) : GraphqlCursor(std::move(tokens), "the end of the schema") {}

  GraphqlSchema read() {
    while (peek().kind != Token::kEnd) definition();
    for (const char* op : {"query", "mutation", "subscription"})
      if (!schema_.roots.count(op)) {
        std::string type(op);
        type[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
        schema_.roots[op] = type;
      }
    return std::move(schema_);
  }

 private:
  void definition() {
    if (peek().kind == Token::kString) next();  // a description
    const Token& keyword = peek();
    std::string word = name();
    if (word == "extend") word = name();
    if (word == "schema") {
      directives();
      expect("{");
      while (!accept("}")) {
        std::string op = name();
        expect(":");
        schema_.roots[op] = name();
      }
    } else if (word == "type" || word == "interface") {
      std::string type = name();
      if (accept("implements")) {
        accept("&");
        schema_.possible[name()].insert(type);
        while (accept("&")) schema_.possible[name()].insert(type);
      }
      directives();
      auto& fields = schema_.fields[type];
      if (accept("{"))
        while (!accept("}")) {
          auto [field_name, field_type] = field();
          fields.insert(field_name);
          schema_.field_types[type][field_name] = std::move(field_type);
        }
    } else if (word == "input") {
      name();
      directives();
      if (accept("{"))
        while (!accept("}")) input_value();
    } else if (word == "enum") {
      name();
      directives();
      if (accept("{"))
        while (!accept("}")) {
          if (peek().kind == Token::kString) next();
          name();
          directives();
        }
    } else if (word == "union") {
      auto& members = schema_.possible[name()];
      directives();
      if (accept("=")) {
        accept("|");
        members.insert(name());
        while (accept("|")) members.insert(name());
      }
    } else if (word == "scalar") {
      name();
      directives();
    } else if (word == "directive") {
      expect("@");
      name();
      arguments_definition();
      accept("repeatable");
      expect("on");
      accept("|");
      name();
      while (accept("|")) name();
    } else {
      fail(keyword, fmt::format("\"{}\" does not start a type system definition", keyword.text));
    }
  }

  std::pair<std::string, std::string> field() {
    if (peek().kind == Token::kString) next();
    std::string field = name();
    arguments_definition();
    expect(":");
    std::string written = type();
    directives();
    return {field, written};
  }

  void arguments_definition() {
    if (accept("("))
      while (!accept(")")) input_value();
  }

  void input_value() {
    if (peek().kind == Token::kString) next();
    name();
    expect(":");
    type();
    if (accept("=")) value();
    directives();
  }

  GraphqlSchema schema_;
};

}  // namespace

GraphqlRead read_graphql_schema(std::string_view text) {
  try {
    return {Reader(graphql_tokens(text)).read(), std::nullopt};
  } catch (const GraphqlFailure& failure) {
    return {{}, failure.error};
  }
}

}  // namespace pareto
