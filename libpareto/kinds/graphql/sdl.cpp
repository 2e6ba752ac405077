#include "kinds/graphql/sdl.hpp"

#include <fmt/format.h>

#include <vector>

namespace pareto {

namespace {

struct Token {
  enum Kind { kName, kPunctuator, kString, kNumber, kEnd } kind;
  std::string text;
  int line, column;
};

struct Failure {
  GraphqlError error;
};

// The SDL's lexical grammar (GraphQL spec, section 2.1): names, punctuators, strings and block
// strings, numbers; whitespace, commas and comments ignored.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> tokens() {
    std::vector<Token> out;
    for (;;) {
      skip_ignored();
      int line = line_, column = column_;
      if (at_ >= text_.size()) {
        out.push_back({Token::kEnd, "", line, column});
        return out;
      }
      char c = text_[at_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t start = at_;
        while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_'))
          advance();
        out.push_back({Token::kName, std::string(text_.substr(start, at_ - start)), line, column});
      } else if (c == '"') {
        out.push_back({Token::kString, string(), line, column});
      } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
        size_t start = at_;
        advance();
        while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) ||
                                      text_[at_] == '.' || text_[at_] == '+' || text_[at_] == '-'))
          advance();
        out.push_back({Token::kNumber, std::string(text_.substr(start, at_ - start)), line, column});
      } else if (text_.substr(at_, 3) == "...") {
        advance(3);
        out.push_back({Token::kPunctuator, "...", line, column});
      } else if (std::string_view("!$&()[]{}:=@|").find(c) != std::string_view::npos) {
        advance();
        out.push_back({Token::kPunctuator, std::string(1, c), line, column});
      } else {
        fail(fmt::format("unexpected character '{}'", c));
      }
    }
  }

 private:
  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && at_ < text_.size(); ++i, ++at_) {
      if (text_[at_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  void skip_ignored() {
    while (at_ < text_.size()) {
      char c = text_[at_];
      if (c == '#') {
        while (at_ < text_.size() && text_[at_] != '\n') advance();
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\xef' ||
                 c == '\xbb' || c == '\xbf') {
        advance();
      } else {
        return;
      }
    }
  }

  std::string string() {
    GraphqlError unterminated{line_, column_, "unterminated string"};  // said where it starts
    bool block = text_.substr(at_, 3) == "\"\"\"";
    advance(block ? 3 : 1);
    size_t start = at_;
    for (;;) {
      if (at_ >= text_.size() || (!block && text_[at_] == '\n')) throw Failure{unterminated};
      if (block && text_.substr(at_, 3) == "\"\"\"") {
        std::string value(text_.substr(start, at_ - start));
        advance(3);
        return value;
      }
      if (!block && text_[at_] == '"') {
        std::string value(text_.substr(start, at_ - start));
        advance();
        return value;
      }
      advance(text_[at_] == '\\' ? 2 : 1);
    }
  }

  [[noreturn]] void fail(std::string message) {
    throw Failure{{line_, column_, std::move(message)}};
  }

  std::string_view text_;
  size_t at_ = 0;
  int line_ = 1, column_ = 1;
};

// The type system definitions (GraphQL spec, section 3), keeping object and interface fields
// and the schema's root types, and reading past everything else by its grammar.
class Reader {
 public:
  explicit Reader(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

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
  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(at_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() {
    const Token& token = peek();
    if (at_ < tokens_.size() - 1) ++at_;
    return token;
  }
  bool is(std::string_view text) const {
    return peek().kind != Token::kString && peek().text == text;
  }
  bool accept(std::string_view text) {
    if (!is(text)) return false;
    next();
    return true;
  }
  [[noreturn]] void fail(const Token& at, std::string message) {
    throw Failure{{at.line, at.column, std::move(message)}};
  }
  void expect(std::string_view text) {
    if (!accept(text))
      fail(peek(), fmt::format("expected \"{}\", found {}", text, describe(peek())));
  }
  std::string name() {
    if (peek().kind != Token::kName) fail(peek(), "expected a name, found " + describe(peek()));
    return next().text;
  }
  static std::string describe(const Token& token) {
    if (token.kind == Token::kEnd) return "the end of the schema";
    if (token.kind == Token::kString) return "a string";
    return "\"" + token.text + "\"";
  }

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
        name();
        while (accept("&")) name();
      }
      directives();
      auto& fields = schema_.fields[type];
      if (accept("{"))
        while (!accept("}")) fields.insert(field());
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
      name();
      directives();
      if (accept("=")) {
        accept("|");
        name();
        while (accept("|")) name();
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

  std::string field() {
    if (peek().kind == Token::kString) next();
    std::string field = name();
    arguments_definition();
    expect(":");
    type();
    directives();
    return field;
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

  // List types and values nest; bounded as the app description's own nesting is.
  struct Nesting {
    Reader& reader;
    explicit Nesting(Reader& r) : reader(r) {
      if (++reader.depth_ > kMaxDepth)
        reader.fail(reader.peek(), fmt::format("nesting deeper than {} levels", kMaxDepth));
    }
    ~Nesting() { --reader.depth_; }
  };
  static constexpr int kMaxDepth = 64;

  void type() {
    Nesting nesting(*this);
    if (accept("[")) {
      type();
      expect("]");
    } else {
      name();
    }
    accept("!");
  }

  void directives() {
    while (accept("@")) {
      name();
      if (accept("("))
        while (!accept(")")) {
          name();
          expect(":");
          value();
        }
    }
  }

  void value() {
    Nesting nesting(*this);
    if (accept("$")) {
      name();
    } else if (accept("[")) {
      while (!accept("]")) value();
    } else if (accept("{")) {
      while (!accept("}")) {
        name();
        expect(":");
        value();
      }
    } else if (peek().kind == Token::kEnd || peek().kind == Token::kPunctuator) {
      fail(peek(), "expected a value, found " + describe(peek()));
    } else {
      next();
    }
  }

  std::vector<Token> tokens_;
  size_t at_ = 0;
  int depth_ = 0;
  GraphqlSchema schema_;
};

}  // namespace

GraphqlRead read_graphql_schema(std::string_view text) {
  try {
    return {Reader(Lexer(text).tokens()).read(), std::nullopt};
  } catch (const Failure& failure) {
    return {{}, failure.error};
  }
}

}  // namespace pareto
