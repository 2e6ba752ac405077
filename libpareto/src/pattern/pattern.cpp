#include "pattern/pattern.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <span>

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include "names.hpp"

namespace pareto::pattern {
using nlohmann::json;

namespace {

// EventBridge compares numbers within ±5e9 (its documented limit; event-ruler takes any double).
constexpr double kNumericLimit = 5.0e9;
// $or multiplies into alternatives (event-ruler's sub-rules). EventBridge refuses patterns past
// a complexity limit it does not publish, and event-ruler has none; pareto stops at this many,
// far beyond real patterns, so that no pattern can exhaust memory.
constexpr size_t kMaxAlternatives = 1024;
// A bound on recursion, far beyond real patterns, so that no input exhausts the stack.
constexpr size_t kMaxPatternDepth = 100;
// event-ruler reads events with Jackson, which refuses one nested deeper than this.
constexpr size_t kMaxEventDepth = 1000;

// Java's lower and upper case of one character, for the scripts with case: ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic (others are their own case). Java maps ß up to "SS" and
// İ down to "i̇", so each is a string.
std::string utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

std::string lower_case(char32_t c) {
  if (c >= 'A' && c <= 'Z') return utf8(c + 32);
  if (c < 0x80) return utf8(c);
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
      (c >= 0x410 && c <= 0x42F))
    return utf8(c + 32);
  if (c >= 0x400 && c <= 0x40F) return utf8(c + 80);
  if (c == 0x130) return "i\u0307";
  if (c == 0x178) return utf8(0xFF);
  if (c == 0x1E9E) return utf8(0xDF);
  if (c >= 0x100 && c <= 0x17F && c != 0x138 && c != 0x149 && c != 0x17F && c != 0x131) {
    bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_upper ? (c % 2 == 1) : (c % 2 == 0)) return utf8(c + 1);
  }
  return utf8(c);
}

std::string upper_case(char32_t c) {
  if (c >= 'a' && c <= 'z') return utf8(c - 32);
  if (c < 0x80) return utf8(c);
  if (c == 0xDF) return "SS";
  if (c == 0xB5) return utf8(0x39C);
  if (c == 0xFF) return utf8(0x178);
  if (c == 0x3C2) return utf8(0x3A3);
  if (c == 0x131) return "I";
  if (c == 0x17F) return "S";
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3CB) || (c >= 0x430 && c <= 0x44F))
    return utf8(c - 32);
  if (c >= 0x450 && c <= 0x45F) return utf8(c - 80);
  if (c >= 0x100 && c <= 0x17F && c != 0x138 && c != 0x149) {
    bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_upper ? (c % 2 == 0) : (c % 2 == 1)) return utf8(c - 1);
  }
  return utf8(c);
}

// equals-ignore-case as event-ruler matches it: each character of the pattern stands for its
// lower or its upper case, and the event's text is taken as it is. Java works one UTF-16 unit
// at a time, and a lone surrogate encodes as "?", so a character beyond the BMP stands for "??".
class CaseChoices {
 public:
  CaseChoices() = default;
  explicit CaseChoices(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
      unsigned char lead = static_cast<unsigned char>(text[i]);
      size_t length = lead < 0x80 ? 1 : lead >> 5 == 6 ? 2 : lead >> 4 == 14 ? 3 : lead >> 3 == 30 ? 4 : 1;
      if (i + length > text.size()) length = 1;  // a cut sequence: its bytes as they are
      if (length == 1 && lead >= 0x80) {  // not UTF-8: the byte itself
        choices_.push_back({std::string(1, text[i]), ""});
      } else if (length == 4) {
        choices_.push_back({"?", ""});
        choices_.push_back({"?", ""});
      } else {
        char32_t c = length == 1 ? lead : lead & (0x7F >> length);
        for (size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        std::string lower = lower_case(c), upper = upper_case(c);
        if (upper == lower) upper.clear();  // one choice: trying it twice would double the search
        choices_.push_back({std::move(lower), std::move(upper)});
      }
      i += length;
    }
  }

  bool equals(std::string_view s) const { return from_start(0, s, 0, true); }
  bool prefix_of(std::string_view s) const { return from_start(0, s, 0, false); }
  bool suffix_of(std::string_view s) const { return from_end(choices_.size(), s, s.size()); }

 private:
  bool from_start(size_t i, std::string_view s, size_t at, bool whole) const {
    if (i == choices_.size()) return !whole || at == s.size();
    for (const auto& choice : choices_[i])
      if (!choice.empty() && s.substr(at, choice.size()) == choice &&
          from_start(i + 1, s, at + choice.size(), whole))
        return true;
    return false;
  }
  bool from_end(size_t i, std::string_view s, size_t end) const {
    if (i == 0) return true;
    for (const auto& choice : choices_[i - 1])
      if (!choice.empty() && end >= choice.size() && s.substr(end - choice.size(), choice.size()) == choice &&
          from_end(i - 1, s, end - choice.size()))
        return true;
    return false;
  }

  std::vector<std::array<std::string, 2>> choices_;  // lower, upper ("" when it is the lower)
};

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

// An IPv4 or IPv6 address, as event-ruler (through Java's InetAddress) reads one: four decimal
// parts, leading zeros and all, in at most 15 characters; or hex digits and colons only (so no
// zone and no embedded IPv4).
struct Address {
  std::array<uint8_t, 16> bytes{};
  bool ipv6 = false;
  bool operator==(const Address&) const = default;
};

std::optional<Address> ip_address(std::string_view text) {
  Address out;
  if (!text.empty() && text.size() <= 15 && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; })) {
    size_t part = 0, digits = 0;
    unsigned value = 0;
    for (char c : text) {
      if (c == '.') {
        if (digits == 0 || part == 3) return std::nullopt;
        out.bytes[part++] = static_cast<uint8_t>(value);
        value = 0, digits = 0;
        continue;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > 255) return std::nullopt;
      ++digits;
    }
    if (digits == 0 || part != 3) return std::nullopt;
    out.bytes[3] = static_cast<uint8_t>(value);
    return out;
  }
  bool hex = std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':'; });
  if (!hex || text.find(':') == std::string_view::npos) return std::nullopt;
  if (inet_pton(AF_INET6, std::string(text).c_str(), out.bytes.data()) != 1) return std::nullopt;
  // Java reads an IPv4-mapped address (::ffff:a00:1) as the IPv4 address it maps.
  const std::array<uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::equal(mapped.begin(), mapped.end(), out.bytes.begin())) {
    std::copy(out.bytes.begin() + 12, out.bytes.end(), out.bytes.begin());
    std::fill(out.bytes.begin() + 4, out.bytes.end(), 0);
    return out;
  }
  out.ipv6 = true;
  return out;
}

// Whether `text` is an address whose first `bits` bits are the network's. event-ruler
// compares an address's bytes from the start, over the network's width, so IPv6 addresses
// fall within IPv4 blocks by their first four bytes (and IPv4 addresses within no IPv6 block).
bool within(const Address& network, int bits, std::string_view text) {
  auto found = ip_address(text);
  if (!found || (network.ipv6 && !found->ipv6)) return false;
  for (int bit = 0; bit < bits; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((found->bytes[bit / 8] & mask) != (network.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

// Whether a number takes part in numeric comparison, as event-ruler decides: its value must be
// exactly the shortest decimal form of the nearest double (so 2^53 + 1 does not). nlohmann
// keeps integers exact; a fraction or exponent is read as a double, whose text is gone, so
// those count when finite.
bool comparable(const json& number) {
  if (number.is_number_float()) return std::isfinite(number.get<double>());
  bool negative = number.is_number_integer() && number.get<int64_t>() < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(number.get<int64_t>()) : number.get<uint64_t>();
  if (magnitude <= (uint64_t{1} << 53)) return true;
  std::array<char, 32> shortest{};
  auto end = std::to_chars(shortest.data(), shortest.data() + shortest.size(),
                           static_cast<double>(magnitude), std::chars_format::scientific).ptr;
  std::string_view form(shortest.data(), static_cast<size_t>(end - shortest.data()));  // "9.007e+15"
  size_t e = form.find('e');
  std::string digits(form.substr(0, e));
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exponent = std::stoi(std::string(form.substr(e + 1)));
  if (exponent + 1 < static_cast<int>(digits.size())) return false;
  digits.append(static_cast<size_t>(exponent + 1) - digits.size(), '0');
  return digits == std::to_string(magnitude);
}

// Exact numbers are equal when their values are (100 and 1e2), or, for numbers numeric
// comparison cannot take, when they are the same literal (an account number as a number).
bool numbers_equal(const json& a, const json& b) {
  if (!a.is_number_float() && !b.is_number_float()) {
    bool a_negative = a.is_number_integer() && a.get<int64_t>() < 0;
    bool b_negative = b.is_number_integer() && b.get<int64_t>() < 0;
    return a_negative == b_negative &&
           (a_negative ? a.get<int64_t>() == b.get<int64_t>() : a.get<uint64_t>() == b.get<uint64_t>());
  }
  return comparable(a) && comparable(b) && a.get<double>() == b.get<double>();
}

// A numeric comparison as the orderings it admits ("<=": less and equal), so that matching
// compares no operator text.
enum Ordering : uint8_t { kLess = 1, kEqual = 2, kGreater = 4 };

uint8_t orderings(std::string_view op) {
  return op == "=" ? kEqual : op == "<" ? kLess : op == "<=" ? kLess | kEqual : op == ">" ? kGreater
                                                                                          : kGreater | kEqual;
}

bool numeric_holds(const std::vector<std::pair<uint8_t, double>>& bounds, double x) {
  for (const auto& [admits, operand] : bounds) {
    uint8_t order = x < operand ? kLess : x == operand ? kEqual : kGreater;
    if (!(admits & order)) return false;
  }
  return true;
}

// A decimal number's value as (digits without leading or trailing zeros, exponent of the last
// digit): "1.50e2" and "150" are both ("15", 1).
std::pair<std::string, int> decimal_value(std::string_view text) {
  std::string digits;
  int exponent = 0;
  size_t e = text.find_first_of("eE");
  if (e != std::string_view::npos) {
    std::string_view power = text.substr(e + 1);
    if (!power.empty() && power.front() == '+') power.remove_prefix(1);
    std::from_chars(power.data(), power.data() + power.size(), exponent);
    text = text.substr(0, e);
  }
  bool fraction = false;
  for (char c : text) {
    if (c == '.') fraction = true;
    else if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
      if (fraction) --exponent;
    }
  }
  size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) return {"", 0};
  digits.erase(0, lead);
  while (digits.back() == '0') digits.pop_back(), ++exponent;
  return {digits, exponent};
}

// One entry of a field's list: a value to equal, or an operator.
struct Condition {
  enum class Op { kEquals, kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard, kAnythingBut,
                  kNumeric, kExists, kCidr };
  Op op = Op::kEquals;
  json value;                      // kEquals
  std::optional<Address> address;  // kEquals of an address: every spelling of it matches
  std::string text;                // prefix, suffix
  bool ignore_case = false;        // prefix, suffix: compare as `cases` does
  CaseChoices cases;               // equals-ignore-case, and prefix and suffix with it
  std::vector<std::string> wildcard;  // the literal parts between the *s ("" at either end)
  bool exists = true;
  std::vector<std::pair<uint8_t, double>> bounds;  // numeric: (orderings(">="), 0), (orderings("<"), 5)
  std::vector<Condition> excluded;  // anything-but: holds when none of these do
  Address network;                  // cidr
  int prefix_bits = 0;

  // Whether the condition holds for a value at the field (exists: false never does).
  bool holds(const json& leaf) const;
};

bool Condition::holds(const json& leaf) const {
  switch (op) {
    case Op::kEquals:
      if (value.is_number()) return leaf.is_number() && numbers_equal(value, leaf);
      if (value.type() != leaf.type()) return false;
      if (value == leaf) return true;
      return address && within(*address, address->ipv6 ? 128 : 32, leaf.get_ref<const std::string&>());
    case Op::kPrefix:
    case Op::kSuffix: {
      if (!leaf.is_string()) return false;
      const auto& string = leaf.get_ref<const std::string&>();
      if (ignore_case) return op == Op::kPrefix ? cases.prefix_of(string) : cases.suffix_of(string);
      return op == Op::kPrefix ? starts_with(string, text) : ends_with(string, text);
    }
    case Op::kEqualsIgnoreCase:
      return leaf.is_string() && cases.equals(leaf.get_ref<const std::string&>());
    case Op::kWildcard:
      return leaf.is_string() && wildcard_matches(wildcard, leaf.get_ref<const std::string&>());
    case Op::kAnythingBut:  // values of another type are not the excluded ones
      return std::none_of(excluded.begin(), excluded.end(),
                          [&](const Condition& c) { return c.holds(leaf); });
    case Op::kNumeric:
      return leaf.is_number() && comparable(leaf) && numeric_holds(bounds, leaf.get<double>());
    case Op::kExists:
      return exists;
    case Op::kCidr:
      return leaf.is_string() && within(network, prefix_bits, leaf.get_ref<const std::string&>());
  }
  return false;
}

// A field of the pattern: its keys joined with "." (as event-ruler names it, so "a.b" and
// {"a": {"b": …}} are one field) and the conditions any of which must hold.
struct Field {
  std::string name;
  std::vector<Condition> any;
  bool absent_holds = false;  // one of `any` is "exists": false
};

using Conjunction = std::vector<Field>;  // every field must match; sorted by name

const std::vector<std::string> kOperators{"prefix", "suffix", "equals-ignore-case", "wildcard",
                                          "anything-but", "numeric", "exists", "cidr"};

}  // namespace

// The pattern's alternatives ($or multiplied out, as event-ruler's sub-rules), each a
// conjunction; it matches when one of them does.
struct Compiled {
  std::vector<Field> fields;   // every alternative's, one after another, each sorted by name
  std::vector<uint32_t> ends;  // where each alternative's fields end
  FieldNames names;            // the fields'

  explicit Compiled(std::vector<Conjunction> alternatives) {
    for (auto& conjunction : alternatives) {
      std::sort(conjunction.begin(), conjunction.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
      std::move(conjunction.begin(), conjunction.end(), std::back_inserter(fields));
      ends.push_back(static_cast<uint32_t>(fields.size()));
    }
    for (const auto& field : fields) names.add(field.name);
  }
  size_t size() const { return ends.size(); }
  std::span<const Field> alternative(size_t k) const {
    uint32_t first = k ? ends[k - 1] : 0;
    return {fields.data() + first, ends[k] - first};
  }
};

// The leaf values of an event under the field names patterns read, each with the array
// elements it is inside of (fields from different elements of one array never match together).
struct Flattened {
  using Element = std::pair<uint32_t, uint32_t>;  // an array (numbered in event order) and an index into it
  struct Leaf {
    std::string_view name;  // as FieldNames stores it
    json value;
    uint32_t first, count;  // its elements in `elements`
  };
  bool object = false;       // whether the event is a JSON object (nothing else matches)
  std::vector<Leaf> leaves;  // by name
  std::vector<Element> elements;

  // The leaves under `name`, as indices into `leaves`.
  std::pair<uint32_t, uint32_t> find(std::string_view name) const {
    auto [first, last] = std::equal_range(leaves.begin(), leaves.end(), name, ByName{});
    return {static_cast<uint32_t>(first - leaves.begin()), static_cast<uint32_t>(last - leaves.begin())};
  }

  struct ByName {
    bool operator()(const Leaf& a, const Leaf& b) const { return a.name < b.name; }
    bool operator()(const Leaf& a, std::string_view b) const { return a.name < b; }
    bool operator()(std::string_view a, const Leaf& b) const { return a < b.name; }
  };
};

namespace {

// event-ruler's view of a number whose decimal text is not exactly its double's shortest form
// (1.30000000000000004): it takes no part in numeric comparison, so it is read as NaN.
double event_ruler_number(double value, const std::string& text) {
  std::array<char, 32> shortest{};
  auto end = std::to_chars(shortest.data(), shortest.data() + shortest.size(), value).ptr;
  bool exact = decimal_value(text) == decimal_value(std::string_view(shortest.data(), static_cast<size_t>(end - shortest.data())));
  return exact ? value : std::nan("");
}

class EventRulerNumbers : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit EventRulerNumbers(json& out) : json_sax_dom_parser(out, false) {}
  bool number_float(double value, const std::string& text) {
    return json_sax_dom_parser::number_float(event_ruler_number(value, text), text);
  }
};

// Reads an event's text (nlohmann's SAX interface) straight into its leaves under `names`,
// skipping the rest of it unbuilt. Keys join with "." as event-ruler joins them, so that
// {"a": {"b": 1}} and {"a.b": 1} both hold a.b; a key given twice holds both values, as there.
class Flattening {
 public:
  Flattening(const FieldNames& names, Flattened& out) : names_(names), out_(out) {}

  bool null() { return leaf(nullptr); }
  bool boolean(bool value) { return leaf(value); }
  bool number_integer(int64_t value) { return leaf(value); }
  bool number_unsigned(uint64_t value) { return leaf(value); }
  bool number_float(double value, const std::string& text) { return leaf(event_ruler_number(value, text)); }
  bool string(std::string& value) { return leaf(value); }
  bool binary(json::binary_t& /*value*/) { return true; }  // JSON text holds none

  bool start_object(size_t /*size*/) { return start(false); }
  bool start_array(size_t /*size*/) { return start(true); }
  bool end_object() { return end(); }
  bool end_array() { return end(); }

  bool key(std::string& key) {
    if (skipping_) return true;
    const Frame& object = frames_.back();
    path_.resize(object.base);
    if (frames_.size() > 1) path_ += '.';
    path_ += key;
    key_ = names_.find(path_);
    return true;
  }

  bool parse_error(size_t /*position*/, const std::string& /*token*/, const nlohmann::detail::exception& /*error*/) {
    return false;
  }

  // The leaves by name (each name's in event order).
  void finish() { std::stable_sort(out_.leaves.begin(), out_.leaves.end(), Flattened::ByName{}); }

 private:
  using Name = std::pair<const std::string, uint8_t>;
  struct Frame {
    bool array;
    bool tied;           // it is an element of an array, so what is inside it is tied to that
    size_t base;         // path_'s length at their start: their own path
    const Name* name;    // arrays: their path's name, which their elements share
    uint32_t id, next;   // arrays: their number, and the index of their next element
  };

  // The name of the value that starts now, and the array element it is, if it is one.
  const Name* position(std::optional<Flattened::Element>& element) {
    if (frames_.empty()) return nullptr;
    Frame& parent = frames_.back();
    if (!parent.array) return key_;
    path_.resize(parent.base);  // an earlier element's keys lengthened it
    element = Flattened::Element{parent.id, parent.next++};
    return parent.name;
  }

  bool leaf(json value) {
    if (skipping_) return true;
    std::optional<Flattened::Element> element;
    const Name* name = position(element);
    if (!name || !(name->second & FieldNames::kRead)) return true;
    out_.leaves.push_back({name->first, std::move(value), static_cast<uint32_t>(out_.elements.size()),
                           static_cast<uint32_t>(inside_.size())});
    out_.elements.insert(out_.elements.end(), inside_.begin(), inside_.end());
    return true;
  }

  bool start(bool array) {
    if (frames_.size() + skipping_ == kMaxEventDepth) return false;
    if (skipping_) return ++skipping_, true;
    std::optional<Flattened::Element> element;
    bool root = frames_.empty();
    const Name* name = position(element);
    if (root) out_.object = !array;
    // Only what is inside an element's object or array is tied to it; the root's keys are read
    // when it is an object, and a nested object or array only on the way to a name.
    bool wanted = root ? !array : name && (array || (name->second & FieldNames::kOnTheWay));
    if (!wanted) return skipping_ = 1, true;
    if (element) inside_.push_back(*element);
    frames_.push_back({array, element.has_value(), path_.size(), name, arrays_, 0});
    if (array) ++arrays_;
    return true;
  }

  bool end() {
    if (skipping_) return --skipping_, true;
    if (frames_.back().tied) inside_.pop_back();
    frames_.pop_back();
    return true;
  }

  const FieldNames& names_;
  Flattened& out_;
  std::vector<Frame> frames_;
  std::vector<Flattened::Element> inside_;  // the array elements the current value is inside of
  std::string path_;
  const Name* key_ = nullptr;  // the name of the current key's path, if patterns read under it
  uint32_t arrays_ = 0;
  size_t skipping_ = 0;  // the depth inside a value no name reaches
};

// The event's leaves under `names`; nullopt when the text is not JSON or is nested too deep.
std::optional<Flattened> flatten(std::string_view text, const FieldNames& names) {
  Flattened out;
  Flattening reader(names, out);
  if (!json::sax_parse(text, &reader)) return std::nullopt;
  reader.finish();
  return out;
}

}  // namespace

void FieldNames::add(const std::string& name) {
  names_[name] |= kRead;
  for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1))
    names_[name.substr(0, dot)] |= kOnTheWay;
}

void FieldNames::add(const FieldNames& other) {
  for (const auto& [name, reach] : other.names_) names_[name] |= reach;
}

const std::pair<const std::string, uint8_t>* FieldNames::find(std::string_view path) const {
  auto it = names_.find(path);
  return it == names_.end() ? nullptr : &*it;
}

namespace {

// Whether event-ruler's pattern compiler refuses the pattern's "$or"s, anywhere in it: one
// that is not a list of two or more patterns without operator keys. event-ruler then reads the
// whole pattern with its older compiler, which takes every "$or" as a field's name and knows
// neither anything-but's lists of prefixes and suffixes nor its wildcard.
// event-ruler's field names an "$or" alternative may not hold (Constants.java).
const std::set<std::string, std::less<>> kReservedInOr{
    "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard",
    "numeric", "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
    "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
    "ip-address-in-range", "ip-address-not-in-range"};

bool is_pattern(const json& value) {
  return value.is_object() && std::none_of(value.items().begin(), value.items().end(), [](const auto& item) {
    return kReservedInOr.count(item.key()) > 0;
  });
}

bool is_alternatives(const json& value) {
  return value.is_array() && value.size() >= 2 && std::all_of(value.begin(), value.end(), is_pattern);
}

bool needs_older_compiler(const json& pattern, size_t depth = 0) {
  if (!pattern.is_object() || depth > kMaxPatternDepth) return false;
  for (const auto& [key, value] : pattern.items()) {
    if (key == "$or" && !is_alternatives(value)) return true;
    if (key == "$or") {
      for (const auto& alternative : value)
        if (needs_older_compiler(alternative, depth + 1)) return true;
    } else if (needs_older_compiler(value, depth + 1)) {
      return true;
    }
  }
  return false;
}

class Compiler {
 public:
  Compiler(Diagnostics& errors, bool older) : errors_(errors), older_(older) {}

  // The alternatives of a (nested) pattern object whose keys sit under `prefix`.
  std::vector<Conjunction> node(const json& pattern, const std::string& at, const std::string& prefix) {
    std::vector<Conjunction> out(1);
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
      if (key == "$or" && value.is_array() && value.size() == 1 && is_pattern(value[0])) {
        fail(here, "\"$or\" takes a list of at least two patterns");
        continue;
      }
      if (key == "$or" && !older_ && is_alternatives(value)) {
        std::vector<Conjunction> choices;
        for (size_t i = 0; i < value.size(); ++i)
          for (auto& c : node(value[i], here + "/" + std::to_string(i), prefix)) choices.push_back(std::move(c));
        out = product(out, choices, here);
        continue;
      }
      std::string name = prefix.empty() ? key : fmt::format("{}.{}", prefix, key);
      if (value.is_object()) {
        out = product(out, node(value, here, name), here);
      } else if (value.is_array()) {
        Field field{name, conditions(value, here)};
        field.absent_holds = std::any_of(field.any.begin(), field.any.end(), [](const Condition& c) {
          return c.op == Condition::Op::kExists && !c.exists;
        });
        out = product(out, {Conjunction{std::move(field)}}, here);
      } else {
        fail(here, fmt::format("\"{}\" must be a list of values to match (like [{}]) or a "
                               "nested object", key, value.dump()));
      }
    }
    return out;
  }

 private:
  // Each of `left` with each of `right`: the fields of both must match.
  std::vector<Conjunction> product(const std::vector<Conjunction>& left,
                                   const std::vector<Conjunction>& right, const std::string& at) {
    if (left.size() * right.size() > kMaxAlternatives) {
      if (!too_many_) fail(at, fmt::format("the pattern's \"$or\" choices multiply into more than {} "
                                           "alternatives; EventBridge refuses patterns this complex",
                                           kMaxAlternatives));
      too_many_ = true;
      return left;
    }
    std::vector<Conjunction> out;
    for (const auto& l : left)
      for (const auto& r : right) {
        Conjunction both = l;
        for (const auto& field : r) {
          if (std::any_of(both.begin(), both.end(), [&](const Field& f) { return f.name == field.name; }))
            fail(at, fmt::format("the field \"{}\" is given twice (a dotted key and a nested one, "
                                 "or in an \"$or\" and beside it)", field.name));
          both.push_back(field);
        }
        out.push_back(std::move(both));
      }
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
        out.push_back(equals(list[i]));
    }
    return out;
  }

  // An exact value; a string that reads as an IP address matches every spelling of it, as in
  // event-ruler ("10.0.0.1" matches "10.0.0.01").
  static Condition equals(const json& value) {
    Condition c;
    c.value = value;
    if (value.is_string()) c.address = ip_address(value.get_ref<const std::string&>());
    return c;
  }

  double number(const json& value, const std::string& at) {
    if (!comparable(value)) {
      fail(at, value.is_number_float() ? "the number cannot be compared: its decimal text is not exactly a double"
                                       : fmt::format("{} cannot be compared: it is not exactly a double", value.dump()));
      return 0;
    }
    double x = value.get<double>();
    if (std::fabs(x) > kNumericLimit)
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
      c.cases = CaseChoices(text(value["equals-ignore-case"], at + "/equals-ignore-case", "equals-ignore-case"));
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
      c.cases = CaseChoices(text(value, here, name));
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
      std::string hint = nearest(name, kOperators);
      fail(here, fmt::format("unknown operator \"{}\"{}", name,
                             hint.empty() ? "; expected " + join_names(kOperators)
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
      if (older_ && (name == "wildcard" || ((name == "prefix" || name == "suffix") && !inner.is_string()))) {
        fail(here, fmt::format("\"anything-but\" takes {} only in a pattern whose \"$or\"s are lists of "
                               "two or more patterns (EventBridge reads any other pattern with its "
                               "older rules)", name == "wildcard" ? "a wildcard" : "a list of " + name + "es"));
      } else if (name == "prefix" || name == "suffix") {
        auto op = name == "prefix" ? Condition::Op::kPrefix : Condition::Op::kSuffix;
        strings(inner, here, name, [&](const json& v, const std::string& a) {
          Condition e;
          e.op = op;
          e.text = text(v, a, name);
          if (v.is_string() && e.text.empty())
            fail(a, fmt::format("an empty {} excludes every string; \"anything-but\" needs a "
                                "non-empty one", name));
          return e;
        }, c.excluded);
      } else if (name == "wildcard") {
        strings(inner, here, name, [&](const json& v, const std::string& a) { return wildcard(v, a); },
                c.excluded);
      } else if (name == "equals-ignore-case") {
        strings(inner, here, name, [&](const json& v, const std::string& a) {
          Condition e;
          e.op = Condition::Op::kEqualsIgnoreCase;
          e.cases = CaseChoices(text(v, a, name));
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
    if (!strings_only && !numbers_only) {
      fail(at, "\"anything-but\" takes strings only or numbers only");
      return c;
    }
    for (size_t i = 0; i < values.size(); ++i) {
      Condition e;  // excluded strings are compared as written, addresses too
      e.value = values[i];
      if (numbers_only) number(values[i], at + (value.is_array() ? "/" + std::to_string(i) : ""));
      c.excluded.push_back(std::move(e));
    }
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
      c.bounds.emplace_back(orderings(value[i].get_ref<const std::string&>()), number(value[i + 1], operand_at));
    }
    if (c.bounds.size() == 2) {
      const auto& low_op = value[0].get_ref<const std::string&>();
      const auto& high_op = value[2].get_ref<const std::string&>();
      double low = c.bounds[0].second, high = c.bounds[1].second;
      if (low_op[0] != '>' || high_op[0] != '<')
        fail(at, "a numeric range is a lower bound (> or >=) then an upper bound (< or <=)");
      else if (low >= high)
        fail(at, fmt::format("the range {} {} and {} {} is empty", low_op, low, high_op, high));
    }
    return c;
  }

  // event-ruler's CIDR blocks: one "/", an address as it reads them, and a mask below the
  // address's width (a /32 or /128 is an exact address, written without the mask).
  Condition cidr(const json& value, const std::string& at) {
    Condition c;
    c.op = Condition::Op::kCidr;
    std::string block = text(value, at, "cidr");
    if (!value.is_string()) return c;
    size_t slash = block.find('/');
    std::optional<Address> address;
    int bits = -1;
    if (slash != std::string::npos && block.find('/', slash + 1) == std::string::npos) {
      address = ip_address(std::string_view(block).substr(0, slash));
      std::string_view mask = std::string_view(block).substr(slash + 1);
      if (!mask.empty() && mask.front() == '+') mask.remove_prefix(1);
      if (!mask.empty() && mask.size() <= 9 &&
          std::all_of(mask.begin(), mask.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
        bits = std::stoi(std::string(mask));
    }
    if (!address || bits < 0 || bits >= (address->ipv6 ? 128 : 32)) {
      fail(at, fmt::format("\"{}\" is not a CIDR block like 10.0.0.0/24 or 2001:db8::/32 (the mask "
                           "below 32, or 128 for IPv6)", block));
      return c;
    }
    c.network = *address;
    c.prefix_bits = bits;
    return c;
  }

  void fail(const std::string& at, std::string message) {
    report(errors_, at, check::kEventPattern, std::move(message));
  }

  Diagnostics& errors_;
  bool older_;  // event-ruler's older compiler's rules (needs_older_compiler)
  size_t depth_ = 0;
  bool too_many_ = false;
};

// event-ruler's array-consistent search: fields are taken in name order, each bound to a value
// in the array elements the fields before it chose; "exists": false holds when no value is
// left there.
class Search {
 public:
  Search(const Flattened& event, std::span<const Field> fields) : event_(event), fields_(fields) {}

  bool from(size_t i) {
    if (i == fields_.size()) return true;
    const Field& field = fields_[i];
    auto [first, last] = event_.find(field.name);
    bool any_left = false, tried_unchanged = false;
    for (uint32_t k = first; k < last; ++k) {
      const Flattened::Leaf& leaf = event_.leaves[k];
      if (!consistent(leaf)) continue;
      any_left = true;
      if (std::none_of(field.any.begin(), field.any.end(), [&](const Condition& c) {
            return c.op != Condition::Op::kExists ? c.holds(leaf.value) : c.exists;
          }))
        continue;
      size_t mark = chosen_.size();
      choose(leaf);
      bool unchanged = chosen_.size() == mark;
      if (!(unchanged && tried_unchanged) && from(i + 1)) return true;  // the same choices fail alike
      tried_unchanged = tried_unchanged || unchanged;
      chosen_.resize(mark);
    }
    return field.absent_holds && !any_left && from(i + 1);
  }

 private:
  bool consistent(const Flattened::Leaf& leaf) const {
    for (uint32_t k = leaf.first; k < leaf.first + leaf.count; ++k) {
      const auto& [array, element] = event_.elements[k];
      for (const auto& [a, e] : chosen_)
        if (a == array && e != element) return false;
    }
    return true;
  }

  void choose(const Flattened::Leaf& leaf) {
    for (uint32_t k = leaf.first; k < leaf.first + leaf.count; ++k) {
      const auto& pair = event_.elements[k];
      if (std::none_of(chosen_.begin(), chosen_.end(), [&](const auto& c) { return c.first == pair.first; }))
        chosen_.push_back(pair);
    }
  }

  const Flattened& event_;
  std::span<const Field> fields_;
  std::vector<Flattened::Element> chosen_;  // array → element
};

}  // namespace

json read_json(std::string_view text) {
  json out;
  EventRulerNumbers reader(out);
  if (!json::sax_parse(text, &reader) || reader.is_errored()) return json(json::value_t::discarded);
  return out;
}

Pattern Pattern::compile(const json& pattern, Diagnostics& errors, const std::string& pointer) {
  size_t before = errors.size();
  auto compiled = std::make_shared<const Compiled>(
      Compiler(errors, needs_older_compiler(pattern)).node(pattern, pointer, ""));
  Pattern out;
  if (errors.size() == before) out.compiled_ = std::move(compiled);
  return out;
}

bool Pattern::matches(std::string_view event) const {
  if (!compiled_) return false;
  auto flat = flatten(event, compiled_->names);
  return flat && matches_flattened(*flat);
}

bool Pattern::matches_flattened(const Flattened& event) const {
  if (!compiled_ || !event.object) return false;
  for (size_t k = 0; k < compiled_->size(); ++k)
    if (Search(event, compiled_->alternative(k)).from(0)) return true;
  return false;
}

std::vector<std::pair<std::string, std::vector<std::string>>> Pattern::exact_fields() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  if (!compiled_) return out;
  auto exact = [](const Field& field) {
    return std::all_of(field.any.begin(), field.any.end(), [](const Condition& c) {
      return c.op == Condition::Op::kEquals && c.value.is_string() && !c.address;
    });
  };
  for (const auto& field : compiled_->alternative(0)) {
    if (!exact(field)) continue;
    std::set<std::string> values;
    bool everywhere = true;
    for (size_t k = 0; k < compiled_->size() && everywhere; ++k) {
      auto fields = compiled_->alternative(k);
      auto it = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == field.name; });
      everywhere = it != fields.end() && exact(*it);
      if (everywhere)
        for (const auto& c : it->any) values.insert(c.value.get<std::string>());
    }
    if (everywhere) out.emplace_back(field.name, std::vector<std::string>(values.begin(), values.end()));
  }
  return out;
}

Rules Rules::compile(const json& rules, Diagnostics& errors) {
  Rules out;
  if (!rules.is_object()) {
    report(errors, "", check::kEventPattern, "rules are a JSON object of names to patterns");
    return out;
  }
  std::map<std::pair<std::string, std::string>, size_t> sharing;  // (field, value) → rules
  std::vector<std::vector<std::pair<std::string, std::vector<std::string>>>> exact;
  for (const auto& [name, pattern] : rules.items()) {
    out.patterns_.emplace_back(name, Pattern::compile(pattern, errors, "/" + pointer_escape(name)));
    if (const auto& compiled = out.patterns_.back().second.compiled_) out.names_.add(compiled->names);
    exact.push_back(out.patterns_.back().second.exact_fields());
    for (const auto& [field, values] : exact.back())
      for (const auto& value : values) ++sharing[{field, value}];
  }
  // Each rule under the field whose values the fewest other rules share.
  for (size_t i = 0; i < out.patterns_.size(); ++i) {
    const std::pair<std::string, std::vector<std::string>>* best = nullptr;
    size_t best_cost = 0;
    for (const auto& candidate : exact[i]) {
      size_t cost = 0;
      for (const auto& value : candidate.second) cost += sharing[{candidate.first, value}];
      if (!best || cost < best_cost) best = &candidate, best_cost = cost;
    }
    if (!best) {
      out.unindexed_.push_back(i);
      continue;
    }
    for (const auto& value : best->second) out.index_[best->first][value].push_back(i);
  }
  return out;
}

std::optional<std::vector<std::string>> Rules::match(std::string_view event) const {
  auto flat = flatten(event, names_);
  if (!flat) return std::nullopt;
  std::vector<std::string> out;
  if (!flat->object) return out;
  std::vector<size_t> candidates = unindexed_;
  for (const auto& [field, values] : index_) {
    auto [first, last] = flat->find(field);
    for (uint32_t k = first; k < last; ++k) {
      const json& value = flat->leaves[k].value;
      if (!value.is_string()) continue;
      if (auto hit = values.find(value.get_ref<const std::string&>()); hit != values.end())
        candidates.insert(candidates.end(), hit->second.begin(), hit->second.end());
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (size_t i : candidates)
    if (patterns_[i].second.matches_flattened(*flat)) out.push_back(patterns_[i].first);
  return out;
}

}  // namespace pareto::pattern
