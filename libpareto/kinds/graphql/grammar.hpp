// GraphQL's grammar as pareto reads it, shared by schemas (sdl.cpp) and pareto dev's queries
// (engine/graphql.cpp): tokens, and the values, types, arguments and directives both hold.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pareto {

struct GraphqlError {
  int line = 0;  // 1-based, in the text
  int column = 0;
  std::string message;
};

// How the readers stop at the first place the text stops being GraphQL.
struct GraphqlFailure {
  GraphqlError error;
};

struct GraphqlToken {
  enum Kind { kName, kPunctuator, kString, kNumber, kEnd } kind;
  std::string text;  // a string's value, its escapes decoded
  int line, column;
};

// The text's tokens (the spec's section 2.1), the last one kEnd; throws GraphqlFailure.
std::vector<GraphqlToken> graphql_tokens(std::string_view text);

// A value as written: a literal (an enum value by its name), a variable, a list or an object.
struct GraphqlValue {
  enum Kind { kLiteral, kVariable, kList, kObject } kind = kLiteral;
  nlohmann::json literal;
  std::string variable;
  std::vector<GraphqlValue> items;  // a list's, or an object's values
  std::vector<std::string> keys;    // an object's, each with the item at its index
};
using GraphqlArguments = std::vector<std::pair<std::string, GraphqlValue>>;

struct GraphqlDirective {
  std::string name;
  GraphqlArguments arguments;
};

// Tokens read by the grammar; each reader throws GraphqlFailure at the token it cannot take.
class GraphqlCursor {
 public:
  // `end` names the end of the text in errors ("the end of the schema").
  GraphqlCursor(std::vector<GraphqlToken> tokens, std::string end);

  const GraphqlToken& peek(size_t ahead = 0) const;
  const GraphqlToken& next();
  bool is(std::string_view text) const;  // a name or punctuator of this text
  bool accept(std::string_view text);
  void expect(std::string_view text);
  std::string name();
  std::string type();  // as written: "[Member!]!"
  GraphqlValue value();
  GraphqlArguments arguments();  // "(name: value …)", or none
  std::vector<GraphqlDirective> directives();
  [[noreturn]] void fail(const GraphqlToken& at, std::string message) const;
  std::string describe(const GraphqlToken& token) const;

 private:
  // Types, values and selections nest; bounded as the app description's own nesting is.
  friend class GraphqlNesting;
  std::vector<GraphqlToken> tokens_;
  size_t at_ = 0;
  int depth_ = 0;
  std::string end_;
};

// Held while reading something nested: past 64 levels, the cursor fails.
class GraphqlNesting {
 public:
  explicit GraphqlNesting(GraphqlCursor& cursor);
  ~GraphqlNesting();
  GraphqlNesting(const GraphqlNesting&) = delete;
  GraphqlNesting& operator=(const GraphqlNesting&) = delete;

 private:
  GraphqlCursor& cursor_;
};

}  // namespace pareto
