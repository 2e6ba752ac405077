// EventBridge event patterns: the whole language, validated as the service does, compiled once
// and matched against many events; and named sets of patterns (which rules fire for an event?).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diagnostic.hpp"

namespace pareto::pattern {

// One entry of a field's list: a value to equal, or an operator.
struct Condition {
  enum class Op { kEquals, kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard, kAnythingBut,
                  kNumeric, kExists, kCidr };
  Op op = Op::kEquals;
  nlohmann::json value;  // kEquals: numbers are compared by value (100 equals 1e2)
  std::string text;      // prefix, suffix, equals-ignore-case; case-folded when ignore_case
  bool ignore_case = false;
  std::vector<std::string> wildcard;  // the literal parts between the *s ("" at either end)
  bool exists = true;
  std::vector<std::pair<std::string, double>> bounds;  // numeric: (">=", 0), ("<", 5)
  std::vector<Condition> excluded;  // anything-but: holds when none of these do
  std::array<uint8_t, 16> network{};  // cidr
  int prefix_bits = 0;
  bool ipv6 = false;

  bool holds(const nlohmann::json& leaf) const;
};

// A field of the pattern: the path into the event and the conditions any of which must hold.
struct Field {
  std::vector<std::string> path;
  std::vector<Condition> any;
};

// Every field must match, and for each $or group, one of its alternatives.
struct Node {
  std::vector<Field> fields;
  std::vector<std::vector<Node>> alternatives;
};

class Pattern {
 public:
  // Reports every way `pattern` breaks EventBridge's rules, at `pointer` + its JSON path; an
  // invalid pattern matches nothing.
  static Pattern compile(const nlohmann::json& pattern, Diagnostics& errors,
                         const std::string& pointer = "");
  bool matches(const nlohmann::json& event) const;

  // The top-level fields whose conditions are all exact strings ("source": ["aws.s3"]): an
  // event can match only if it holds one of those values in each; rule sets index on them.
  std::vector<const Field*> exact_fields() const;

 private:
  std::shared_ptr<const Node> root_;  // shared: compiled patterns are cheap regular values
};

// Named patterns matched together: each rule is indexed under its most selective exact
// top-level field, so an event is checked only against the rules it could match.
class Rules {
 public:
  // {"name": pattern, ...}; errors are reported at "/<name>/<path in the pattern>".
  static Rules compile(const nlohmann::json& rules, Diagnostics& errors);
  // The names of the rules that match, in name order.
  std::vector<std::string> match(const nlohmann::json& event) const;
  size_t size() const { return patterns_.size(); }

 private:
  std::vector<std::pair<std::string, Pattern>> patterns_;  // by name
  std::map<std::string, std::map<std::string, std::vector<size_t>>> index_;  // field → value → rules
  std::vector<size_t> unindexed_;
};

}  // namespace pareto::pattern
