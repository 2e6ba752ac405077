#include "load/stages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "components/kind.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

namespace {

// Every value the patch sets, merged pointer → source pointer. An object that was there before
// is walked into, since merging keeps what the patch does not name; one the patch brings is
// the stage's throughout.
void record(const json& patch, const json* before, const std::string& merged,
            const std::string& source, Provenance& provenance) {
  if (!patch.is_object() || patch.empty() || !before || !before->is_object()) {
    provenance.add(merged, source);
    return;
  }
  for (const auto& [key, value] : patch.items()) {
    std::string segment = "/" + pointer_escape(key);
    auto it = before->find(key);
    record(value, it == before->end() ? nullptr : &*it, merged + segment, source + segment,
           provenance);
  }
}

// What a stage sets of the app's own settings; its other keys are kinds.
constexpr std::array<std::string_view, 6> kAppSettings = {"parameters", "retain",  "tags",
                                                         "dashboard",  "alarms", "overrides"};

const Kind* kind_named(const std::vector<const Kind*>& kinds, std::string_view key) {
  for (const Kind* kind : kinds)
    if (kind->key == key) return kind;
  return nullptr;
}

}  // namespace

void Provenance::trace(Diagnostics& diagnostics) const {
  if (sources_.empty()) return;
  for (auto& d : diagnostics) {
    // The longest recorded pointer that is the path or a whole-segment prefix of it.
    for (std::string prefix = d.path;; prefix.erase(prefix.rfind('/'))) {
      if (auto it = sources_.find(prefix); it != sources_.end()) {
        d.path = it->second + d.path.substr(prefix.size());
        break;
      }
      if (prefix.empty() || prefix.rfind('/') == std::string::npos) break;
    }
  }
}

Staged apply_stage(const json& document, const std::string& stage,
                   const std::vector<const Kind*>& kinds, bool only_staged, Diagnostics& errors) {
  Staged out{document, {}};
  const json* settings = nullptr;
  if (auto stages = document.find("stages"); stages != document.end())
    if (auto it = stages->find(stage); it != stages->end()) settings = &*it;
  if (!settings) return out;
  json& merged = out.document;
  std::string base = "/stages/" + pointer_escape(stage);
  std::vector<std::string> kind_keys;
  kind_keys.reserve(kinds.size());
  for (const Kind* kind : kinds) kind_keys.emplace_back(kind->key);
  for (std::string_view name : kAppSettings) {
    std::string key(name);
    if (!settings->contains(key)) continue;
    const json& patch = (*settings)[key];
    std::string merged_at = "/" + key;
    record(patch, document.contains(key) ? &document[key] : nullptr, merged_at, base + merged_at,
           out.provenance);
    // Booleans (dashboard: true) are an object of defaults once options are merged into them.
    json& target = merged[key];
    if (target.is_boolean() && patch.is_object()) target = target.get<bool>() ? json::object() : json();
    target.merge_patch(patch);
    if (target.is_null()) merged.erase(key);
  }
  for (const auto& [key, entries] : settings->items()) {
    if (std::find(kAppSettings.begin(), kAppSettings.end(), key) != kAppSettings.end()) continue;
    std::string at = base + "/" + pointer_escape(key);
    const Kind* kind = kind_named(kinds, key);
    if (!kind) {
      std::string hint = nearest(key, kind_keys);
      report(errors, at, check::kUnknownKey,
             fmt::format("stage \"{}\" sets \"{}\", which is no kind of component{}", stage, key,
                         hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)));
      continue;
    }
    // The schema has passed: the kind's entries are mappings with a name each.
    static const json kNone = json::array();
    auto list = document.find(key);
    const json& listed = list == document.end() ? kNone : *list;
    std::vector<std::string> names;
    std::map<std::string, size_t, std::less<>> index_of;  // a stage may name many of many
    for (const auto& entry : listed) {
      index_of.emplace(entry["name"], names.size());
      names.push_back(entry["name"]);
    }
    json kept = json::array();  // only_staged: the entries the stage names
    for (const auto& [name, patch] : entries.items()) {
      std::string pointer = at + "/" + pointer_escape(name);
      auto found = index_of.find(name);
      if (found == index_of.end()) {
        std::string hint = nearest(name, names);
        report(errors, pointer, check::kUnknownRef,
               fmt::format("stage \"{}\" sets {} \"{}\", which the app does not declare{}", stage,
                           kind->noun, name,
                           hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)));
        continue;
      }
      if (patch.contains("name")) {
        report(errors, pointer + "/name", check::kUnknownKey,
               fmt::format("a stage cannot rename {} \"{}\": its name is what its resources "
                           "and data are found by", kind->noun, name));
        continue;
      }
      size_t index = found->second;
      json& entry = merged[key][index];
      if (only_staged)  // a checked subset is about the stage throughout
        out.provenance.add(fmt::format("/{}/{}", key, kept.size()), pointer);
      else
        record(patch, &listed[index], fmt::format("/{}/{}", key, index), pointer, out.provenance);
      entry.merge_patch(patch);
      if (only_staged) kept.push_back(entry);
    }
    if (only_staged) merged[key] = std::move(kept);
  }
  if (only_staged)
    for (const Kind* kind : kinds)
      if (!settings->contains(kind->key) && merged.contains(kind->key)) merged.erase(std::string(kind->key));
  return out;
}

}  // namespace pareto
