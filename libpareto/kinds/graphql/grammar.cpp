#include "kinds/graphql/grammar.hpp"

#include <fmt/format.h>

#include <cctype>

namespace pareto {

namespace {

using Token = GraphqlToken;

// The lexical grammar (GraphQL spec, section 2.1): names, punctuators, strings and block
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
      if (at_ >= text_.size() || (!block && text_[at_] == '\n')) throw GraphqlFailure{unterminated};
      if (block && text_.substr(at_, 3) == "\"\"\"") {
        std::string value(text_.substr(start, at_ - start));
        advance(3);
        return value;
      }
      if (!block && text_[at_] == '"') {
        std::string value = unescaped(text_.substr(start, at_ - start));
        advance();
        return value;
      }
      advance(text_[at_] == '\\' ? 2 : 1);
    }
  }

  // A string's escapes are JSON's (\" \\ \/ \b \f \n \r \t \uXXXX, surrogate pairs too), and so
  // is their decoding; only a tab may stand as itself in GraphQL's string.
  std::string unescaped(std::string_view raw) {
    std::string quoted = "\"";
    for (char c : raw) {
      if (c == '\t') quoted += "\\t";
      else quoted += c;
    }
    nlohmann::json value = nlohmann::json::parse(quoted + "\"", nullptr, false);
    if (!value.is_string()) fail("the string has an escape GraphQL does not know");
    return value.get<std::string>();
  }

  [[noreturn]] void fail(std::string message) {
    throw GraphqlFailure{{line_, column_, std::move(message)}};
  }

  std::string_view text_;
  size_t at_ = 0;
  int line_ = 1, column_ = 1;
};

}  // namespace

std::vector<GraphqlToken> graphql_tokens(std::string_view text) { return Lexer(text).tokens(); }

GraphqlCursor::GraphqlCursor(std::vector<GraphqlToken> tokens, std::string end)
    : tokens_(std::move(tokens)), end_(std::move(end)) {}

const GraphqlToken& GraphqlCursor::peek(size_t ahead) const {
  return tokens_[std::min(at_ + ahead, tokens_.size() - 1)];
}

const GraphqlToken& GraphqlCursor::next() {
  const Token& token = peek();
  if (at_ < tokens_.size() - 1) ++at_;
  return token;
}

bool GraphqlCursor::is(std::string_view text) const {
  return peek().kind != Token::kString && peek().text == text;
}

bool GraphqlCursor::accept(std::string_view text) {
  if (!is(text)) return false;
  next();
  return true;
}

void GraphqlCursor::fail(const GraphqlToken& at, std::string message) const {
  throw GraphqlFailure{{at.line, at.column, std::move(message)}};
}

void GraphqlCursor::expect(std::string_view text) {
  if (!accept(text)) fail(peek(), fmt::format("expected \"{}\", found {}", text, describe(peek())));
}

std::string GraphqlCursor::name() {
  if (peek().kind != Token::kName) fail(peek(), "expected a name, found " + describe(peek()));
  return next().text;
}

std::string GraphqlCursor::describe(const GraphqlToken& token) const {
  if (token.kind == Token::kEnd) return end_;
  if (token.kind == Token::kString) return "a string";
  return "\"" + token.text + "\"";
}

GraphqlNesting::GraphqlNesting(GraphqlCursor& cursor) : cursor_(cursor) {
  constexpr int kMaxDepth = 64;
  if (++cursor_.depth_ > kMaxDepth) {
    --cursor_.depth_;
    cursor_.fail(cursor_.peek(), fmt::format("nesting deeper than {} levels", kMaxDepth));
  }
}

GraphqlNesting::~GraphqlNesting() { --cursor_.depth_; }

std::string GraphqlCursor::type() {
  GraphqlNesting nesting(*this);
  std::string written;
  if (accept("[")) {
    written = "[" + type();
    expect("]");
    written += "]";
  } else {
    written = name();
  }
  return accept("!") ? written + "!" : written;
}

GraphqlValue GraphqlCursor::value() {
  GraphqlNesting nesting(*this);
  GraphqlValue out;
  if (accept("$")) {
    out.kind = GraphqlValue::kVariable;
    out.variable = name();
  } else if (accept("[")) {
    out.kind = GraphqlValue::kList;
    while (!accept("]")) out.items.push_back(value());
  } else if (accept("{")) {
    out.kind = GraphqlValue::kObject;
    while (!accept("}")) {
      out.keys.push_back(name());
      expect(":");
      out.items.push_back(value());
    }
  } else if (peek().kind == Token::kString) {
    out.literal = next().text;
  } else if (peek().kind == Token::kNumber) {
    const Token& number = peek();
    nlohmann::json parsed = nlohmann::json::parse(number.text, nullptr, false);
    if (!parsed.is_number()) fail(number, fmt::format("\"{}\" is not a number", number.text));
    out.literal = std::move(parsed);
    next();
  } else if (peek().kind == Token::kName) {
    const std::string& word = next().text;
    out.literal = word == "true" ? nlohmann::json(true) : word == "false" ? nlohmann::json(false)
                : word == "null" ? nlohmann::json() : nlohmann::json(word);
  } else {
    fail(peek(), "expected a value, found " + describe(peek()));
  }
  return out;
}

GraphqlArguments GraphqlCursor::arguments() {
  GraphqlArguments out;
  if (accept("("))
    while (!accept(")")) {
      std::string argument = name();
      expect(":");
      out.emplace_back(std::move(argument), value());
    }
  return out;
}

std::vector<GraphqlDirective> GraphqlCursor::directives() {
  std::vector<GraphqlDirective> out;
  while (accept("@")) {
    GraphqlDirective directive{name(), {}};
    directive.arguments = arguments();
    out.push_back(std::move(directive));
  }
  return out;
}

}  // namespace pareto
