#include "pattern/pattern.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include "names.hpp"

namespace pareto::pattern {
using nlohmann::json;

namespace {

// EventBridge compares numbers within ±5e9.
constexpr double kNumericLimit = 5.0e9;
// Bounds on recursion, far beyond real patterns and events, so that no input exhausts the stack.
constexpr size_t kMaxPatternDepth = 100;
constexpr size_t kMaxEventDepth = 200;

// Simple case folding for the scripts with case: ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic; other characters are kept as they are.
char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
      (c >= 0x410 && c <= 0x42F))
    return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x138 && c != 0x149 && c != 0x17F) {
    bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_upper ? (c % 2 == 1) : (c % 2 == 0)) return c + 1;
  }
  return c;
}

std::string folded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead >> 5 == 6 ? 2 : lead >> 4 == 14 ? 3 : lead >> 3 == 30 ? 4 : 1;
    if (i + length > text.size()) length = 1;
    char32_t c = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    char32_t f = length == 1 && lead >= 0x80 ? c : fold(c);
    if (f == c) {
      out.append(text.substr(i, length));
    } else if (f < 0x80) {
      out += static_cast<char>(f);
    } else if (f < 0x800) {
      out += static_cast<char>(0xC0 | (f >> 6));
      out += static_cast<char>(0x80 | (f & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (f >> 12));
      out += static_cast<char>(0x80 | ((f >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (f & 0x3F));
    }
    i += length;
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// "a*b\\*c" → {"a", "b*c"}; "*" → {"", ""}.
std::optional<std::vector<std::string>> wildcard_parts(const std::string& text, std::string& why) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
        parts.back() += text[++i];
        continue;
      }
      why = "a backslash in a wildcard escapes only * or \\";
      return std::nullopt;
    }
    if (text[i] == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*') {
        why = "consecutive wildcard characters (**) are not allowed";
        return std::nullopt;
      }
      parts.emplace_back();
      continue;
    }
    parts.back() += text[i];
  }
  return parts;
}

bool wildcard_matches(const std::vector<std::string>& parts, std::string_view value) {
  if (parts.size() == 1) return value == parts[0];
  if (!starts_with(value, parts.front()) || value.size() < parts.front().size() + parts.back().size() ||
      !ends_with(value, parts.back()))
    return false;
  size_t at = parts.front().size(), end = value.size() - parts.back().size();
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    size_t found = value.substr(0, end).find(parts[i], at);
    if (found == std::string_view::npos) return false;
    at = found + parts[i].size();
  }
  return at <= end;
}

// An IPv4 or IPv6 address: 4 or 16 bytes.
std::optional<std::pair<std::array<uint8_t, 16>, bool>> parse_ip(const std::string& text) {
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return std::pair{bytes, false};
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return std::pair{bytes, true};
  return std::nullopt;
}

bool numeric_holds(const std::vector<std::pair<std::string, double>>& bounds, double x) {
  for (const auto& [op, operand] : bounds) {
    bool ok = op == "=" ? x == operand : op == "<" ? x < operand : op == "<=" ? x <= operand
            : op == ">" ? x > operand : x >= operand;
    if (!ok) return false;
  }
  return true;
}

bool is_leaf_value(const json& v) { return !v.is_object() && !v.is_array(); }

class Compiler {
 public:
  explicit Compiler(Diagnostics& errors) : errors_(errors) {}

  Node node(const json& pattern, const std::string& at, const std::vector<std::string>& prefix) {
    Node out;
    if (++depth_ > kMaxPatternDepth) {
      fail(at, fmt::format("the pattern nests deeper than {} levels", kMaxPatternDepth));
      return out;
    }
    struct Leave {
      size_t& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    if (!pattern.is_object()) {
      fail(at, "an event pattern is a JSON object");
      return out;
    }
    if (pattern.empty()) fail(at, "an event pattern needs at least one field");
    for (const auto& [key, value] : pattern.items()) {
      std::string here = at + "/" + pointer_escape(key);
      if (key == "$or") {
        out.alternatives.push_back(alternatives(value, here, prefix));
        continue;
      }
      std::vector<std::string> path = prefix;
      path.push_back(key);
      if (value.is_object()) {
        Node nested = node(value, here, path);
        for (auto& f : nested.fields) out.fields.push_back(std::move(f));
        for (auto& a : nested.alternatives) out.alternatives.push_back(std::move(a));
      } else if (value.is_array()) {
        out.fields.push_back({path, conditions(value, here)});
      } else {
        fail(here, fmt::format("\"{}\" must be a list of values to match (like [{}]) or a "
                               "nested object", key, value.dump()));
      }
    }
    return out;
  }

 private:
  std::vector<Node> alternatives(const json& value, const std::string& at,
                                 const std::vector<std::string>& prefix) {
    std::vector<Node> out;
    if (!value.is_array() || value.size() < 2) {
      fail(at, "\"$or\" takes a list of at least two patterns");
      return out;
    }
    for (size_t i = 0; i < value.size(); ++i)
      out.push_back(node(value[i], at + "/" + std::to_string(i), prefix));
    return out;
  }

  std::vector<Condition> conditions(const json& list, const std::string& at) {
    std::vector<Condition> out;
    if (list.empty()) fail(at, "an empty list matches nothing; list at least one value");
    for (size_t i = 0; i < list.size(); ++i) {
      std::string here = at + "/" + std::to_string(i);
      if (list[i].is_array())
        fail(here, "a list inside a list is not a pattern; put the values in one list");
      else if (list[i].is_object())
        operation(list[i], here, out);
      else
        out.push_back(equals(list[i], here));
    }
    return out;
  }

  Condition equals(const json& value, const std::string& at) {
    Condition c;
    c.value = value;
    if (value.is_number()) number(value, at);
    return c;
  }

  double number(const json& value, const std::string& at) {
    double x = value.get<double>();
    if (!std::isfinite(x) || std::fabs(x) > kNumericLimit)
      fail(at, fmt::format("{} is out of range: EventBridge compares numbers within -5e9..5e9",
                           value.dump()));
    return x;
  }

  std::string text(const json& value, const std::string& at, std::string_view op) {
    if (value.is_string()) return value.get<std::string>();
    fail(at, fmt::format("\"{}\" takes a string, not {}", op, value.dump()));
    return {};
  }

  // {"prefix": "a"} or {"prefix": {"equals-ignore-case": "a"}}, and the same for suffix.
  Condition affix(Condition::Op op, std::string_view name, const json& value,
                  const std::string& at) {
    Condition c;
    c.op = op;
    if (value.is_object() && value.size() == 1 && value.contains("equals-ignore-case")) {
      c.ignore_case = true;
      c.text = folded(text(value["equals-ignore-case"], at + "/equals-ignore-case", "equals-ignore-case"));
    } else {
      c.text = text(value, at, name);
    }
    return c;
  }

  Condition wildcard(const json& value, const std::string& at) {
    Condition c;
    c.op = Condition::Op::kWildcard;
    std::string why;
    if (auto parts = wildcard_parts(text(value, at, "wildcard"), why))
      c.wildcard = std::move(*parts);
    else
      fail(at, why);
    return c;
  }

  // One string or a list of strings, each made into a condition.
  template <typename Make>
  void strings(const json& value, const std::string& at, std::string_view op, Make make,
               std::vector<Condition>& out) {
    if (!value.is_array()) {
      out.push_back(make(value, at));
      return;
    }
    if (value.empty()) fail(at, fmt::format("\"{}\" needs at least one string", op));
    for (size_t i = 0; i < value.size(); ++i)
      out.push_back(make(value[i], at + "/" + std::to_string(i)));
  }

  void operation(const json& object, const std::string& at, std::vector<Condition>& out) {
    if (object.size() != 1) {
      fail(at, "an operator object holds exactly one operator, like {\"prefix\": \"a\"}");
      return;
    }
    const std::string& name = object.begin().key();
    const json& value = object.begin().value();
    std::string here = at + "/" + pointer_escape(name);
    Condition c;
    if (name == "prefix") {
      c = affix(Condition::Op::kPrefix, name, value, here);
    } else if (name == "suffix") {
      c = affix(Condition::Op::kSuffix, name, value, here);
    } else if (name == "equals-ignore-case") {
      c.op = Condition::Op::kEqualsIgnoreCase;
      c.text = folded(text(value, here, name));
    } else if (name == "wildcard") {
      c = wildcard(value, here);
    } else if (name == "anything-but") {
      c = anything_but(value, here);
    } else if (name == "numeric") {
      c = numeric(value, here);
    } else if (name == "exists") {
      c.op = Condition::Op::kExists;
      if (!value.is_boolean()) fail(here, "\"exists\" takes true or false");
      c.exists = value.is_boolean() && value.get<bool>();
    } else if (name == "cidr") {
      c = cidr(value, here);
    } else {
      std::vector<std::string> known{"prefix", "suffix", "equals-ignore-case", "wildcard",
                                     "anything-but", "numeric", "exists", "cidr"};
      std::string hint = nearest(name, known);
      fail(here, fmt::format("unknown operator \"{}\"{}", name,
                             hint.empty() ? "; expected " + join_names(known)
                                          : fmt::format("; did you mean \"{}\"?", hint)));
      return;
    }
    out.push_back(std::move(c));
  }

  Condition anything_but(const json& value, const std::string& at) {
    Condition c;
    c.op = Condition::Op::kAnythingBut;
    if (value.is_object()) {
      if (value.size() != 1) {
        fail(at, "\"anything-but\" takes a value, a list, or one of prefix, suffix, wildcard "
                 "and equals-ignore-case");
        return c;
      }
      const std::string& name = value.begin().key();
      const json& inner = value.begin().value();
      std::string here = at + "/" + pointer_escape(name);
      if (name == "prefix" || name == "suffix") {
        Condition e;
        e.op = name == "prefix" ? Condition::Op::kPrefix : Condition::Op::kSuffix;
        e.text = text(inner, here, name);
        c.excluded.push_back(std::move(e));
      } else if (name == "wildcard") {
        strings(inner, here, name, [&](const json& v, const std::string& a) { return wildcard(v, a); },
                c.excluded);
      } else if (name == "equals-ignore-case") {
        strings(inner, here, name, [&](const json& v, const std::string& a) {
          Condition e;
          e.op = Condition::Op::kEqualsIgnoreCase;
          e.text = folded(text(v, a, name));
          return e;
        }, c.excluded);
      } else {
        fail(here, fmt::format("\"anything-but\" cannot take \"{}\"; it takes a value, a list, "
                               "or one of prefix, suffix, wildcard and equals-ignore-case", name));
      }
      return c;
    }
    json values = value.is_array() ? value : json::array({value});
    if (values.empty()) fail(at, "\"anything-but\" needs at least one value");
    bool strings_only = std::all_of(values.begin(), values.end(), [](const json& v) { return v.is_string(); });
    bool numbers_only = std::all_of(values.begin(), values.end(), [](const json& v) { return v.is_number(); });
    if (!strings_only && !numbers_only)
      fail(at, "\"anything-but\" takes strings only or numbers only");
    for (size_t i = 0; i < values.size(); ++i)
      c.excluded.push_back(equals(values[i], at + (value.is_array() ? "/" + std::to_string(i) : "")));
    return c;
  }

  Condition numeric(const json& value, const std::string& at) {
    Condition c;
    c.op = Condition::Op::kNumeric;
    static const std::set<std::string> kOps{"<", "<=", "=", ">", ">="};
    if (!value.is_array() || value.empty() || value.size() % 2 != 0 || value.size() > 4) {
      fail(at, "\"numeric\" takes one or two comparisons, like [\">\", 0, \"<=\", 5]");
      return c;
    }
    for (size_t i = 0; i < value.size(); i += 2) {
      std::string op_at = at + "/" + std::to_string(i), operand_at = at + "/" + std::to_string(i + 1);
      if (!value[i].is_string() || !kOps.count(value[i].get<std::string>())) {
        fail(op_at, fmt::format("{} is not a comparison; use <, <=, =, > or >=", value[i].dump()));
        return c;
      }
      if (!value[i + 1].is_number()) {
        fail(operand_at, fmt::format("\"{}\" compares with a number, not {}",
                                     value[i].get<std::string>(), value[i + 1].dump()));
        return c;
      }
      c.bounds.push_back({value[i], number(value[i + 1], operand_at)});
    }
    if (c.bounds.size() == 2) {
      const auto& [low_op, low] = c.bounds[0];
      const auto& [high_op, high] = c.bounds[1];
      if (low_op[0] != '>' || high_op[0] != '<')
        fail(at, "a numeric range is a lower bound (> or >=) then an upper bound (< or <=)");
      else if (low >= high)
        fail(at, fmt::format("the range {} {} and {} {} is empty", low_op, low, high_op, high));
    }
    return c;
  }

  Condition cidr(const json& value, const std::string& at) {
    Condition c;
    c.op = Condition::Op::kCidr;
    std::string block = text(value, at, "cidr");
    size_t slash = block.find('/');
    auto address = parse_ip(block.substr(0, slash));
    int bits = -1;
    if (slash != std::string::npos && slash + 1 < block.size() && slash + 4 >= block.size() &&
        std::all_of(block.begin() + slash + 1, block.end(), ::isdigit))
      bits = std::stoi(block.substr(slash + 1));
    if (!address || bits < 0 || bits > (address->second ? 128 : 32)) {
      if (value.is_string())
        fail(at, fmt::format("\"{}\" is not a CIDR block like 10.0.0.0/24 or 2001:db8::/32", block));
      return c;
    }
    c.network = address->first;
    c.ipv6 = address->second;
    c.prefix_bits = bits;
    return c;
  }

  void fail(const std::string& at, std::string message) {
    report(errors_, at, check::kEventPattern, std::move(message));
  }

  Diagnostics& errors_;
  size_t depth_ = 0;
};

// Every leaf value at `path`, looking through arrays at every level (EventBridge flattens them).
void collect(const json& node, const std::vector<std::string>& path, size_t depth,
             std::vector<const json*>& out, size_t nesting = 0) {
  if (nesting > kMaxEventDepth) return;
  if (node.is_array()) {
    for (const auto& element : node) collect(element, path, depth, out, nesting + 1);
    return;
  }
  if (depth == path.size()) {
    out.push_back(&node);
    return;
  }
  if (!node.is_object()) return;
  auto it = node.find(path[depth]);
  if (it != node.end()) collect(*it, path, depth + 1, out, nesting + 1);
}

bool field_matches(const Field& field, const json& event) {
  std::vector<const json*> values;
  collect(event, field.path, 0, values);
  bool present = std::any_of(values.begin(), values.end(), [](const json* v) { return is_leaf_value(*v); });
  for (const auto& c : field.any) {
    if (c.op == Condition::Op::kExists) {
      if (c.exists == present) return true;
      continue;
    }
    for (const json* v : values)
      if (is_leaf_value(*v) && c.holds(*v)) return true;
  }
  return false;
}

bool node_matches(const Node& node, const json& event) {
  for (const auto& field : node.fields)
    if (!field_matches(field, event)) return false;
  for (const auto& group : node.alternatives)
    if (std::none_of(group.begin(), group.end(), [&](const Node& n) { return node_matches(n, event); }))
      return false;
  return true;
}

}  // namespace

bool Condition::holds(const json& leaf) const {
  switch (op) {
    case Op::kEquals:
      if (value.is_number() && leaf.is_number()) return value.get<double>() == leaf.get<double>();
      return value.type() == leaf.type() && value == leaf;
    case Op::kPrefix:
    case Op::kSuffix: {
      if (!leaf.is_string()) return false;
      std::string s = ignore_case ? folded(leaf.get<std::string>()) : leaf.get<std::string>();
      return op == Op::kPrefix ? starts_with(s, text) : ends_with(s, text);
    }
    case Op::kEqualsIgnoreCase:
      return leaf.is_string() && folded(leaf.get<std::string>()) == text;
    case Op::kWildcard:
      return leaf.is_string() && wildcard_matches(wildcard, leaf.get<std::string>());
    case Op::kAnythingBut: {
      bool by_value = !excluded.empty() && excluded.front().op == Op::kEquals;
      if (!by_value && !leaf.is_string()) return false;
      return std::none_of(excluded.begin(), excluded.end(),
                          [&](const Condition& c) { return c.holds(leaf); });
    }
    case Op::kNumeric:
      return leaf.is_number() && numeric_holds(bounds, leaf.get<double>());
    case Op::kExists:
      return exists;
    case Op::kCidr: {
      if (!leaf.is_string()) return false;
      auto address = parse_ip(leaf.get<std::string>());
      if (!address || address->second != ipv6) return false;
      for (int bit = 0; bit < prefix_bits; ++bit) {
        int mask = 0x80 >> (bit % 8);
        if ((address->first[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
      }
      return true;
    }
  }
  return false;
}

Pattern Pattern::compile(const json& pattern, Diagnostics& errors, const std::string& pointer) {
  size_t before = errors.size();
  Node root = Compiler(errors).node(pattern, pointer, {});
  Pattern out;
  if (errors.size() == before) out.root_ = std::make_shared<const Node>(std::move(root));
  return out;
}

bool Pattern::matches(const json& event) const {
  return root_ && event.is_object() && node_matches(*root_, event);
}

std::vector<const Field*> Pattern::exact_fields() const {
  std::vector<const Field*> out;
  if (!root_) return out;
  for (const auto& field : root_->fields)
    if (field.path.size() == 1 &&
        std::all_of(field.any.begin(), field.any.end(), [](const Condition& c) {
          return c.op == Condition::Op::kEquals && c.value.is_string();
        }))
      out.push_back(&field);
  return out;
}

Rules Rules::compile(const json& rules, Diagnostics& errors) {
  Rules out;
  if (!rules.is_object()) {
    report(errors, "", check::kEventPattern, "rules are a JSON object of names to patterns");
    return out;
  }
  std::map<std::pair<std::string, std::string>, size_t> sharing;  // (field, value) → rules
  for (const auto& [name, pattern] : rules.items()) {
    out.patterns_.emplace_back(name, Pattern::compile(pattern, errors, "/" + pointer_escape(name)));
    for (const Field* field : out.patterns_.back().second.exact_fields())
      for (const auto& c : field->any) ++sharing[{field->path[0], c.value.get<std::string>()}];
  }
  // Each rule under the field whose values the fewest other rules share.
  for (size_t i = 0; i < out.patterns_.size(); ++i) {
    const Field* best = nullptr;
    size_t best_cost = 0;
    for (const Field* field : out.patterns_[i].second.exact_fields()) {
      size_t cost = 0;
      for (const auto& c : field->any) cost += sharing[{field->path[0], c.value.get<std::string>()}];
      if (!best || cost < best_cost) best = field, best_cost = cost;
    }
    if (!best) {
      out.unindexed_.push_back(i);
      continue;
    }
    for (const auto& c : best->any) out.index_[best->path[0]][c.value.get<std::string>()].push_back(i);
  }
  return out;
}

std::vector<std::string> Rules::match(const json& event) const {
  std::vector<size_t> candidates = unindexed_;
  if (event.is_object())
    for (const auto& [field, values] : index_) {
      auto it = event.find(field);
      if (it == event.end()) continue;
      const auto& by_value = values;  // a lambda may not capture a structured binding before C++20's clang 16
      auto add = [&](const json& v) {
        if (!v.is_string()) return;
        if (auto hit = by_value.find(v.get<std::string>()); hit != by_value.end())
          candidates.insert(candidates.end(), hit->second.begin(), hit->second.end());
      };
      if (it->is_array())
        for (const auto& v : *it) add(v);
      else
        add(*it);
    }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<std::string> out;
  for (size_t i : candidates)
    if (patterns_[i].second.matches(event)) out.push_back(patterns_[i].first);
  return out;
}

}  // namespace pareto::pattern
