#include "load/document.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <sstream>
#include <fmt/format.h>
#include <optional>
#include <regex>

#include "names.hpp"

namespace pareto {
using nlohmann::json;

Position SourceMap::find(std::string_view pointer) const {
  std::string p(pointer);
  while (true) {
    if (auto it = positions_.find(p); it != positions_.end()) return it->second;
    if (p.empty()) return {};
    p.erase(p.rfind('/'));
  }
}

void SourceMap::locate(Diagnostics& diagnostics) const {
  for (auto& d : diagnostics) {
    if (d.line != 0) continue;
    Position at = find(d.path);
    d.line = at.line;
    d.column = at.column;
  }
}

namespace {

bool is_digits(std::string_view s, size_t from, int (*accept)(int)) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); ++i)
    if (!accept(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// The YAML 1.2 core schema's resolution of a plain scalar; none for a number past a double's
// range, which JSON cannot hold.
std::optional<json> resolve_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  std::string_view v(s);
  size_t sign = (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (is_digits(v, sign, isdigit) && v.size() - sign <= 18) return json(std::stoll(s));
  if (v.size() > 2 && v.substr(0, 2) == "0x" && is_digits(v, 2, isxdigit) && v.size() <= 17)
    return json(std::stoll(s.substr(2), nullptr, 16));
  if (v.size() > 2 && v.substr(0, 2) == "0o" && v.size() <= 23 &&
      is_digits(v, 2, [](int c) { return int(c >= '0' && c <= '7'); }))
    return json(std::stoll(s.substr(2), nullptr, 8));
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (v.size() <= 64 && std::regex_match(s, kFloat)) {
    double d = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(d)) return d;
    return std::nullopt;
  }
  return s;  // .inf and .nan have no JSON form, so they stay strings and fail type checks
}

// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), as JSON needs.
bool valid_utf8(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = byte(i);
    size_t n = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : (c >> 4) == 0xE ? 2
             : c >= 0xF0 && c <= 0xF4 ? 3 : 9;
    if (n == 9 || i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k)
      if ((byte(i + k) >> 6) != 0x2) return false;
    if ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) >= 0xA0) ||
        (c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) >= 0x90))
      return false;
    i += n + 1;
  }
  return true;
}

class Converter {
 public:
  Converter(const LoadLimits& limits, Document& doc) : limits_(limits), doc_(doc) {}

  // False once a limit is hit: that error ends the load.
  bool convert(const YAML::Node& node, json& out, const std::string& pointer, size_t depth) {
    if (++nodes_ > limits_.max_nodes) {
      fail(pointer, fmt::format("the document expands to more than {} values (aliases?)",
                                limits_.max_nodes));
      return false;
    }
    if (depth > limits_.max_depth) {
      fail(pointer, fmt::format("nesting deeper than {} levels", limits_.max_depth));
      return false;
    }
    mark(pointer, node);  // a mapping value keeps its key's position: where people look
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        out = nullptr;
        return true;
      case YAML::NodeType::Scalar: {
        const std::string& s = node.Scalar();
        if (s.size() > limits_.max_string) {
          fail(pointer, fmt::format("a string of {} bytes; at most {} are accepted", s.size(),
                                    limits_.max_string));
          return false;
        }
        if (!valid_utf8(s)) {
          report(doc_.errors, pointer, check::kSyntax, "the text is not valid UTF-8");
          locate_last(node);
          out = nullptr;
          return true;
        }
        std::optional<json> value = node.Tag() == "?" ? resolve_plain(s) : json(s);
        if (!value) {
          report(doc_.errors, pointer, check::kInputLimit,
                 fmt::format("the number {} is out of range (at most ±1.8e308)",
                             s.size() > 32 ? s.substr(0, 32) + "…" : s));
          locate_last(node);
        }
        out = value.value_or(nullptr);
        return true;
      }
      case YAML::NodeType::Sequence: {
        out = json::array();
        size_t i = 0;
        for (const auto& item : node) {
          out.push_back(nullptr);
          if (!convert(item, out.back(), pointer + "/" + std::to_string(i++), depth + 1))
            return false;
        }
        return true;
      }
      case YAML::NodeType::Map: {
        out = json::object();
        for (const auto& entry : node) {
          const YAML::Node& key = entry.first;
          if (!key.IsScalar() || !valid_utf8(key.Scalar())) {
            report(doc_.errors, pointer, check::kSyntax, "mapping keys must be UTF-8 strings");
            locate_last(key);
            continue;
          }
          std::string child = pointer + "/" + pointer_escape(key.Scalar());
          if (out.contains(key.Scalar())) {
            report(doc_.errors, child, check::kDuplicateKey,
                   fmt::format("duplicate key \"{}\"", key.Scalar()));
            locate_last(key);
            continue;
          }
          mark(child, key);
          json& value = out[key.Scalar()];
          if (!convert(entry.second, value, child, depth + 1)) return false;
        }
        return true;
      }
    }
    return true;
  }

 private:
  void mark(const std::string& pointer, const YAML::Node& node) {
    const YAML::Mark m = node.Mark();
    if (!m.is_null()) doc_.positions.add(pointer, {m.line + 1, m.column + 1});
  }
  void locate_last(const YAML::Node& node) {
    const YAML::Mark m = node.Mark();
    if (!m.is_null()) {
      doc_.errors.back().line = m.line + 1;
      doc_.errors.back().column = m.column + 1;
    }
  }
  void fail(const std::string& pointer, std::string message) {
    report(doc_.errors, pointer, check::kInputLimit, std::move(message));
  }

  const LoadLimits& limits_;
  Document& doc_;
  size_t nodes_ = 0;
};

// yaml-cpp 0.7 loops forever on some malformed text (found by fuzzing: a 30-byte example is in
// tests/cpp/load_test.cpp), emitting events without end. This first pass counts the events and
// stops once there are more than the text could hold: every event consumes some of it.
class EventBudget : public YAML::EventHandler {
 public:
  struct Exhausted {
    YAML::Mark mark;
  };
  explicit EventBudget(size_t limit) : limit_(limit) {}
  void OnDocumentStart(const YAML::Mark& mark) override { count(mark); }
  void OnDocumentEnd() override { count({}); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override { count(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override { count(mark); }
  void OnSequenceEnd() override { count({}); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override { count(mark); }
  void OnMapEnd() override { count({}); }

 private:
  void count(const YAML::Mark& mark) {
    if (++events_ > limit_) throw Exhausted{mark};
  }
  size_t limit_;
  size_t events_ = 0;
};

void parse_within_budget(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  EventBudget budget(2 * text.size() + 16);
  while (parser.HandleNextDocument(budget)) {
  }
}

}  // namespace

Document load_document(std::string_view text, const LoadLimits& limits) {
  Document doc;
  if (text.size() > limits.max_bytes) {
    report(doc.errors, "", check::kInputLimit,
           fmt::format("the file is {} bytes; at most {} are accepted", text.size(),
                       limits.max_bytes));
    return doc;
  }
  if (text.find('\0') != std::string_view::npos) {
    report(doc.errors, "", check::kSyntax, "the file contains a NUL byte; is it text?");
    return doc;
  }
  YAML::Node root;
  try {
    std::string source(text);
    parse_within_budget(source);
    std::vector<YAML::Node> documents = YAML::LoadAll(source);
    if (documents.size() > 1) {
      report(doc.errors, "", check::kSyntax,
             fmt::format("the file holds {} YAML documents; pareto reads one",
                         documents.size()));
      return doc;
    }
    if (!documents.empty()) root = documents.front();
  } catch (const EventBudget::Exhausted& e) {
    report(doc.errors, "", check::kSyntax, "the YAML parser does not get through this text");
    if (!e.mark.is_null()) {
      doc.errors.back().line = e.mark.line + 1;
      doc.errors.back().column = e.mark.column + 1;
    }
    return doc;
  } catch (const YAML::DeepRecursion& e) {
    report(doc.errors, "", check::kInputLimit,
           fmt::format("nesting deeper than {} levels", limits.max_depth));
    doc.errors.back().line = e.mark.line + 1;
    doc.errors.back().column = e.mark.column + 1;
    return doc;
  } catch (const YAML::Exception& e) {
    report(doc.errors, "", check::kSyntax, e.msg.empty() ? "the file does not parse" : e.msg);
    if (!e.mark.is_null()) {
      doc.errors.back().line = e.mark.line + 1;
      doc.errors.back().column = e.mark.column + 1;
    }
    return doc;
  }
  if (!root.IsMap()) {
    report(doc.errors, "", check::kNotAnObject,
           root.IsDefined() && !root.IsNull()
               ? "the app description must be a mapping of keys (app, actions, …)"
               : "the file is empty; an app description needs at least \"app: <name>\"");
    doc.errors.back().line = 1;
    doc.errors.back().column = 1;
    return doc;
  }
  json value;
  Converter converter(limits, doc);
  try {
    if (converter.convert(root, value, "", 0)) doc.value = std::move(value);
  } catch (const YAML::Exception& e) {
    report(doc.errors, "", check::kSyntax, e.msg);
  }
  return doc;
}

}  // namespace pareto
