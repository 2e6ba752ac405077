// EventBridge event patterns: the whole language, validated and matched as event-ruler (the
// library behind EventBridge) does, compiled once and matched against many events; and named
// sets of patterns (which rules fire for an event?).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.hpp"

namespace pareto::pattern {

// Reads a pattern or an event as event-ruler sees its numbers: one whose decimal text is not
// exactly its double's shortest form (1.30000000000000004) takes no part in numeric comparison,
// so it is read as NaN. Discarded when the text is not JSON.
nlohmann::json read_json(std::string_view text);

struct Compiled;   // a pattern's alternatives, each a conjunction of fields (pattern.cpp)
struct Flattened;  // an event's leaf values under the field names patterns read (pattern.cpp)

// The field names patterns read, and each path on the way to one ("detail" on the way to
// "detail.size"): an event is read only along them, and the rest of it is never built.
class FieldNames {
 public:
  static constexpr uint8_t kRead = 1, kOnTheWay = 2;
  void add(const std::string& name);
  void add(const FieldNames& other);
  // The name as stored, with what it is (kRead, kOnTheWay or both); nullptr for any other path.
  const std::pair<const std::string, uint8_t>* find(std::string_view path) const;

 private:
  std::map<std::string, uint8_t, std::less<>> names_;
};

class Pattern {
 public:
  // Reports every way `pattern` breaks EventBridge's rules, at `pointer` + its JSON path; an
  // invalid pattern matches nothing.
  static Pattern compile(const nlohmann::json& pattern, Diagnostics& errors,
                         const std::string& pointer = "");
  // Whether the event (JSON text) matches; text that is not a JSON object matches nothing.
  bool matches(std::string_view event) const;

 private:
  friend class Rules;  // matches flattened events, and indexes on exact fields
  bool matches_flattened(const Flattened& event) const;
  // The fields that every alternative of the pattern tests for exact strings only
  // ("source": ["aws.s3"]), each with those strings: an event can match only if it holds one
  // of them there, so rule sets index on one.
  std::vector<std::pair<std::string, std::vector<std::string>>> exact_fields() const;

  std::shared_ptr<const Compiled> compiled_;  // shared: compiled patterns are cheap regular values
};

// Named patterns matched together: each rule is indexed under its most selective exact
// field, so an event is checked only against the rules it could match.
class Rules {
 public:
  // {"name": pattern, ...}; errors are reported at "/<name>/<path in the pattern>".
  static Rules compile(const nlohmann::json& rules, Diagnostics& errors);
  // The names of the rules that match the event (JSON text), in name order; nullopt when the
  // text is not JSON or is nested deeper than event-ruler reads.
  std::optional<std::vector<std::string>> match(std::string_view event) const;
  size_t size() const { return patterns_.size(); }

 private:
  std::vector<std::pair<std::string, Pattern>> patterns_;  // by name
  std::map<std::string, std::map<std::string, std::vector<size_t>>> index_;  // field → value → rules
  std::vector<size_t> unindexed_;
  FieldNames names_;  // every rule's
};

}  // namespace pareto::pattern
