#include "finalize/nested.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>

#include "components/kind.hpp"
#include "finalize/finalize.hpp"
#include "names.hpp"

namespace pareto {
using nlohmann::json;

std::vector<std::string> over_quotas(const Template& t, size_t bytes) {
  std::vector<std::string> out;
  auto count = [&](const json& entries, size_t limit, std::string_view what) {
    if (entries.size() > limit)
      out.push_back(fmt::format("{} {} (CloudFormation allows {})", entries.size(), what, limit));
  };
  count(t.resources, kMaxResources, "resources");
  count(t.parameters, kMaxParameters, "parameters");
  count(t.outputs, kMaxOutputs, "outputs");
  if (bytes > kMaxTemplateBytes)
    out.push_back(fmt::format("{} bytes (CloudFormation reads at most {})", bytes,
                              kMaxTemplateBytes));
  return out;
}

namespace {

// What a reference reads: a resource's (or parameter's) Ref when `attribute` is empty.
struct Target {
  std::string id;
  std::string attribute;
  auto operator<=>(const Target&) const = default;
};

// What to write in place of a reference, and the name Fn::Sub text gives it.
struct Replacement {
  std::string name;
  json value;
};
using Relink = std::function<std::optional<Replacement>(const Target&)>;

void relink(json& value, const Relink& relink_target);

// "${X.Attr}" in Fn::Sub text becomes "${Name}"; a replacement other than Ref Name goes in the
// list form's variables.
void relink_sub(json& sub, const Relink& relink_target) {
  json& arg = sub.begin().value();
  json variables = arg.is_array() && arg.size() > 1 ? arg[1] : json::object();
  for (auto& [_, variable] : variables.items()) relink(variable, relink_target);
  const json& text_value = arg.is_array() && !arg.empty() ? arg[0] : arg;
  if (!text_value.is_string()) return;
  const std::string& text = text_value.get_ref<const std::string&>();
  std::string out;
  json added = json::object();
  size_t from = 0;
  for (size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at)) {
    size_t end = text.find('}', at);
    if (end == std::string::npos) break;
    std::string inner = text.substr(at + 2, end - at - 2);
    size_t dot = inner.find('.');
    std::string id = inner.substr(0, dot);
    std::optional<Replacement> r;
    if (!inner.empty() && inner[0] != '!' && !variables.contains(id))
      r = relink_target({id, dot == std::string::npos ? "" : inner.substr(dot + 1)});
    if (r) {
      out.append(text, from, at - from).append("${").append(r->name).append("}");
      from = end + 1;
      if (r->value != json{{"Ref", r->name}}) added[r->name] = std::move(r->value);
    }
    at = end;
  }
  if (from == 0) {
    if (arg.is_array() && arg.size() > 1) arg[1] = std::move(variables);
    return;
  }
  out.append(text, from);
  variables.update(added);
  sub = {{"Fn::Sub", variables.empty() ? json(out) : json::array({out, variables})}};
}

// Writes the replacement `relink_target` gives for every Ref, Fn::GetAtt and Fn::Sub variable in
// `value` (DependsOn is the caller's).
void relink(json& value, const Relink& relink_target) {
  if (value.is_array()) {
    for (auto& item : value) relink(item, relink_target);
    return;
  }
  if (!value.is_object()) return;
  if (value.size() == 1) {
    const std::string& key = value.begin().key();
    json& arg = value.begin().value();
    std::optional<Replacement> r;
    if (key == "Ref" && arg.is_string()) {
      r = relink_target({arg.get<std::string>(), ""});
    } else if (key == "Fn::GetAtt" && arg.is_array() && arg.size() == 2 && arg[0].is_string() &&
               arg[1].is_string()) {
      r = relink_target({arg[0].get<std::string>(), arg[1].get<std::string>()});
    } else if (key == "Fn::Sub") {
      relink_sub(value, relink_target);
      return;
    } else {
      relink(arg, relink_target);
      return;
    }
    if (r) value = std::move(r->value);
    return;
  }
  for (auto& [key, child] : value.items())
    if (key != "DependsOn") relink(child, relink_target);
}

std::vector<std::string> depends_on(const json& resource) {
  std::vector<std::string> out;
  if (!resource.contains("DependsOn")) return out;
  const json& d = resource["DependsOn"];
  for (const auto& item : d.is_array() ? d : json::array({d}))
    if (item.is_string()) out.push_back(item);
  return out;
}

// The component an origin names: "/actions/3/events/0" → {"actions", 3}.
std::pair<std::string, size_t> component_of(const std::string& origin) {
  size_t section_end = origin.find('/', 1);
  if (section_end == std::string::npos) return {origin, SIZE_MAX};
  size_t index_end = origin.find('/', section_end + 1);
  std::string index = origin.substr(section_end + 1, index_end - section_end - 1);
  bool numeric = !index.empty() && index.size() < 10 &&
                 std::all_of(index.begin(), index.end(),
                             [](unsigned char c) { return std::isdigit(c) != 0; });
  return {origin.substr(0, section_end), numeric ? std::stoul(index) : SIZE_MAX};
}

// Strongly connected components of a graph of n nodes (iterative Tarjan); returns each node's
// component, numbered from 0.
std::vector<size_t> strongly_connected(const std::vector<std::set<size_t>>& edges, size_t& count) {
  const size_t n = edges.size(), unvisited = SIZE_MAX;
  std::vector<size_t> index(n, unvisited), low(n, 0), component(n, unvisited), stack;
  std::vector<bool> on_stack(n, false);
  size_t next = 0;
  count = 0;
  for (size_t root = 0; root < n; ++root) {
    if (index[root] != unvisited) continue;
    std::vector<std::pair<size_t, std::set<size_t>::const_iterator>> path{{root, edges[root].begin()}};
    index[root] = low[root] = next++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!path.empty()) {
      auto& [node, it] = path.back();
      if (it != edges[node].end()) {
        size_t to = *it++;
        if (index[to] == unvisited) {
          index[to] = low[to] = next++;
          stack.push_back(to);
          on_stack[to] = true;
          path.emplace_back(to, edges[to].begin());
        } else if (on_stack[to]) {
          low[node] = std::min(low[node], index[to]);
        }
        continue;
      }
      if (low[node] == index[node]) {
        size_t member;
        do {
          member = stack.back();
          stack.pop_back();
          on_stack[member] = false;
          component[member] = count;
        } while (member != node);
        ++count;
      }
      size_t done = node;
      path.pop_back();
      if (!path.empty()) low[path.back().first] = std::min(low[path.back().first], low[done]);
    }
  }
  return component;
}

// A group of components that must share a stack: they reference each other in a cycle.
struct Group {
  std::vector<std::string> resources;
  std::vector<std::string> components;  // config pointers, for messages
  size_t bytes = 0;
  std::set<Target> imports;  // what it reads from outside itself: parameters included
  std::set<Target> exports;  // what others read of it
  std::set<size_t> needs;    // the groups it reads
  size_t outputs = 0;        // the app's outputs that read only it
  bool holds_data = false;   // a table, bucket, queue, user pool or secret
};

struct Bin {
  std::vector<std::string> resources;
  std::vector<size_t> groups;
  size_t bytes = 0;
  std::set<Target> imports, exports;
  size_t app_outputs = 0;
  // Filled when the stacks are written:
  std::map<std::string, Target> inputs;   // parameter name → what the parent passes
  std::map<std::string, Target> outputs;  // output name → what it gives
  json own_outputs = json::object();      // the app's outputs that read only this stack
  std::set<size_t> after;                 // bins it waits for through DependsOn only
  std::set<std::string> after_parent;     // the parent's resources it waits for so
};

constexpr size_t kNoBin = SIZE_MAX;
constexpr size_t kParent = SIZE_MAX - 1;  // the bin of what the parent holds itself
// Places are what read each other: a nested stack (its bin), or one group the parent holds
// (the parent's resources wait for each other one by one, not as a whole).
constexpr size_t kParentPlaces = size_t{1} << 40;
// Headroom under 1 MB: resources are measured alone, before the template's indentation.
constexpr size_t kBinBytes = 800'000;
constexpr std::string_view kStackPrefix = "Stack";

// "Stack03" → 2; anything else: kNoBin.
size_t bin_named(std::string_view name) {
  if (name.empty()) return kParent;
  std::string_view digits = name.substr(std::min(name.size(), kStackPrefix.size()));
  if (!name.starts_with(kStackPrefix) || digits.empty() || digits.size() > 4 ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return kNoBin;
  size_t number = std::stoul(std::string(digits));
  return number == 0 ? kNoBin : number - 1;
}

class Splitter {
 public:
  Splitter(const Template& t, std::string_view app, const Placement& deployed,
           Diagnostics& errors)
      : t_(t), app_(app), errors_(errors) {
    for (const auto& [id, _] : t.resources.items()) taken_.insert(id);
    for (const auto& [id, _] : t.parameters.items()) taken_.insert(id);
    for (const auto& [id, stack] : deployed) {
      size_t bin = bin_named(stack);
      if (bin == kNoBin || !t.resources.contains(id)) continue;
      pinned_[id] = bin;
      if (bin != kParent) deployed_bins_ = std::max(deployed_bins_, bin + 1);
    }
    bins_.resize(deployed_bins_);
  }

  Stacks split() {
    find_fixed_names();
    group();
    pack();
    if (!errors_.empty()) return {};
    return write();
  }

 private:
  // A table's or bucket's name and ARN follow from its fixed name: another stack reads them as
  // text, so that stacks need not wait for each other (nor read each other in a cycle once
  // placement is sticky). The value, or null when the target's is known only once it exists.
  json computed(const Target& target) const {
    auto it = fixed_names_.find(target.id);
    if (it == fixed_names_.end()) return nullptr;
    if (target.attribute.empty()) return it->second.first;
    if (target.attribute == "Arn") return it->second.second;
    return nullptr;
  }

  // Each table's and bucket's name, and its ARN, as text the template can hold.
  void find_fixed_names() {
    static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> kNamed = {
        {"AWS::DynamoDB::Table", {"TableName", "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"}},
        {"AWS::S3::Bucket", {"BucketName", "arn:${AWS::Partition}:s3:::"}}};
    for (const auto& [id, resource] : t_.resources.items()) {
      auto named = kNamed.find(resource.value("Type", ""));
      if (named == kNamed.end()) continue;
      const json properties = resource.value("Properties", json::object());
      const json name = properties.value(named->second.first, json());
      std::string text;
      if (name.is_string()) text = name;
      else if (name.is_object() && name.size() == 1 && name.contains("Fn::Sub") && name["Fn::Sub"].is_string())
        text = name["Fn::Sub"];
      else continue;
      fixed_names_[id] = {name, cfn::sub(named->second.second + text)};
    }
  }

  // What a value reads of the template's resources and parameters (as relink sees them).
  std::vector<Target> targets_of(const json& value) const {
    std::vector<Target> out;
    References found = references(value);
    for (const auto& id : found.refs)
      if (t_.resources.contains(id) || t_.parameters.contains(id)) out.push_back({id, ""});
    for (const auto& [id, attribute] : found.attribute_reads)
      if (t_.resources.contains(id)) out.push_back({id, attribute});
    for (const auto& id : found.depends_on) out.push_back({id, "DependsOn"});
    return out;
  }

  // Components, and the groups of them that reference each other in cycles.
  void group() {
    // A component's resources start as one unit; app-wide ones (a dashboard, the errors
    // queue) each as their own, grouped only by their references.
    auto unit_key = [&](const std::string& id) {
      auto key = component_of(origin_in(t_.origins, id));
      if (key.second == SIZE_MAX) key.first += "/" + id;
      return key;
    };
    std::map<std::pair<std::string, size_t>, size_t> units;
    for (const auto& [id, _] : t_.resources.items()) units.emplace(unit_key(id), 0);
    size_t n = 0;
    for (auto& [_, index] : units) index = n++;
    std::map<std::string, size_t> unit_of;
    for (const auto& [id, _] : t_.resources.items()) unit_of[id] = units[unit_key(id)];
    std::vector<std::set<size_t>> edges(n);
    std::map<std::string, std::vector<Target>> targets;
    for (const auto& [id, resource] : t_.resources.items()) {
      targets[id] = targets_of(resource);
      for (const auto& target : targets[id])
        if (t_.resources.contains(target.id) && unit_of[target.id] != unit_of[id] &&
            computed(target).is_null())
          edges[unit_of[id]].insert(unit_of[target.id]);
    }
    size_t count = 0;
    std::vector<size_t> component = strongly_connected(edges, count);
    groups_.resize(count);
    for (const auto& [id, resource] : t_.resources.items()) {
      size_t g = component[unit_of[id]];
      group_of_[id] = g;
      groups_[g].resources.push_back(id);
      groups_[g].bytes += id.size() + resource.dump(2).size();
      groups_[g].holds_data |= holds_data(resource.value("Type", ""));
      std::string unit(entry_pointer(origin_in(t_.origins, id)));
      if (groups_[g].components.empty() || groups_[g].components.back() != unit)
        groups_[g].components.push_back(unit);
    }
    for (const auto& [id, found] : targets) {
      Group& from = groups_[group_of_[id]];
      for (const auto& target : found) {
        if (!t_.resources.contains(target.id)) {
          from.imports.insert(target);  // a parameter
          continue;
        }
        size_t to = group_of_[target.id];
        if (to == group_of_[id] || !computed(target).is_null()) continue;
        from.needs.insert(to);
        if (target.attribute == "DependsOn") continue;
        from.imports.insert(target);
        groups_[to].exports.insert(target);
      }
    }
    for (const auto& [_, output] : t_.outputs.items())
      if (auto g = only_reader(output, group_of_)) groups_[*g].outputs++;
  }

  // The one group (or stack) whose resources `value` reads, if there is one.
  std::optional<size_t> only_reader(const json& value, const std::map<std::string, size_t>& of) const {
    std::set<size_t> read;
    for (const auto& target : targets_of(value))
      if (auto it = of.find(target.id); it != of.end()) read.insert(it->second);
    if (read.size() != 1) return std::nullopt;
    return *read.begin();
  }

  // The stack a group is deployed in: kNoBin when it is new, kParent, or a bin; reports a group
  // whose resources are deployed in different stacks.
  size_t deployed_bin(size_t g) {
    const Group& group = groups_[g];
    std::set<size_t> deployed_in;
    for (const auto& id : group.resources)
      if (auto it = pinned_.find(id); it != pinned_.end()) deployed_in.insert(it->second);
    if (deployed_in.size() <= 1) return deployed_in.empty() ? kNoBin : *deployed_in.begin();
    std::vector<std::string> stacks;
    stacks.reserve(deployed_in.size());
    for (size_t b : deployed_in) stacks.push_back(place_name(b));
    report(errors_, group.components.front(), check::kQuota,
           fmt::format("{} now reference each other, so they must share a stack, but they are "
                       "deployed in {}: remove the reference that closes the cycle, or remove one "
                       "of them (--allow-delete) and add it back in the next deploy",
                       join_names(group.components, " and "), join_names(stacks, " and ")));
    return kNoBin;
  }

  // What is deployed goes back where it is first, so that new groups take only the room left;
  // then every group in dependency order (each one's reads placed before it): new ones into the
  // deployed stacks with room, then the newest stack, then a new one.
  void pack() {
    place_of_group_.assign(groups_.size(), kNoBin);
    std::vector<size_t> deployed(groups_.size());
    for (size_t g = 0; g < groups_.size(); ++g) {
      deployed[g] = deployed_bin(g);
      if (deployed[g] != kNoBin)
        for (const auto& id : groups_[g].resources) bin_of_[id] = deployed[g];
    }
    for (size_t g = 0; g < groups_.size(); ++g)
      if (deployed[g] != kNoBin) put(g, deployed[g]);
    for (size_t b = 0; b < deployed_bins_; ++b) check_deployed(b);

    std::vector<size_t> waiting(groups_.size());
    std::vector<std::vector<size_t>> readers(groups_.size());
    auto first_resource = [&](size_t g) { return groups_[g].resources.front(); };
    auto later = [&](size_t a, size_t b) { return first_resource(a) > first_resource(b); };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> ready(later);
    for (size_t g = 0; g < groups_.size(); ++g) {
      waiting[g] = groups_[g].needs.size();
      for (size_t need : groups_[g].needs) readers[need].push_back(g);
      if (waiting[g] == 0) ready.push(g);
    }
    while (!ready.empty()) {
      size_t g = ready.top();
      ready.pop();
      if (deployed[g] == kNoBin) place_new(g);
      else link(g);
      for (size_t reader : readers[g])
        if (--waiting[reader] == 0) ready.push(reader);
    }
  }

  // The quotas a bin would break with the group in it: none when it fits.
  std::vector<std::string> overflow(size_t b, const Group& group) const {
    const Bin& bin = bins_[b];
    size_t imports = bin.imports.size(), exports = bin.exports.size();
    for (const auto& target : group.imports) {
      auto it = bin_of_.find(target.id);
      if ((it == bin_of_.end() || it->second != b) && !bin.imports.count(target)) ++imports;
    }
    for (const auto& target : group.exports) exports += !bin.exports.count(target);
    return quotas_broken(bin.resources.size() + group.resources.size(), imports,
                         exports + bin.app_outputs + group.outputs, bin.bytes + group.bytes);
  }

  static std::vector<std::string> quotas_broken(size_t resources, size_t parameters,
                                                size_t outputs, size_t bytes) {
    std::vector<std::string> out;
    auto count = [&](size_t used, size_t limit, std::string_view what) {
      if (used > limit) out.push_back(fmt::format("{} {} (CloudFormation allows {})", used, what, limit));
    };
    count(resources, kMaxResources, "resources");
    count(parameters, kMaxParameters, "parameters");
    count(outputs, kMaxOutputs, "outputs");
    if (bytes > kBinBytes)
      out.push_back(fmt::format("{} bytes of resources (pareto fills a stack to {} of the {} "
                                "CloudFormation reads)", bytes, kBinBytes, kMaxTemplateBytes));
    return out;
  }

  // A deployed stack holds what it holds: its components may have grown past its quotas. (What
  // it gives out is checked when it is written: readers are placed later.)
  void check_deployed(size_t b) {
    const Bin& bin = bins_[b];
    std::vector<std::string> over =
        quotas_broken(bin.resources.size(), bin.imports.size(), bin.app_outputs, bin.bytes);
    if (over.empty()) return;
    std::vector<std::string> grown, movable;
    for (size_t g : bin.groups) {
      const Group& group = groups_[g];
      if (std::any_of(group.resources.begin(), group.resources.end(),
                      [&](const std::string& id) { return !pinned_.count(id); }))
        grown.push_back(group.components.front());
      // Actions are the cheapest to move: they hold no data.
      if (movable.size() < 3 && !group.holds_data &&
          std::all_of(group.components.begin(), group.components.end(),
                      [](const std::string& c) { return c.starts_with("/actions/"); }))
        movable.push_back(group.components.front());
    }
    std::string what = grown.empty() ? "its components" : first_few(grown);
    report(errors_, grown.empty() ? "" : grown.front(), check::kQuota,
           fmt::format("{} {} deployed in {} and {} there, since moving would delete them, but "
                       "{} would have {}: make room in two deploys, first without some of the "
                       "actions it holds ({}, …), then with them again (they go to stacks with "
                       "room)",
                       what, grown.size() == 1 ? "is" : "are", stack_id(b),
                       grown.size() == 1 ? "stays" : "stay", stack_id(b), fmt::join(over, ", "),
                       fmt::join(movable, ", ")));
  }

  // A list of components that can hold the whole app: the first few named.
  static std::string first_few(const std::vector<std::string>& all) {
    constexpr size_t kNamed = 8;
    std::string named = fmt::format("{}", fmt::join(all.begin(), all.begin() + std::min(all.size(), kNamed), ", "));
    if (all.size() > kNamed) named += fmt::format(" and {} more components", all.size() - kNamed);
    return named;
  }

  size_t place_of(size_t g) const {
    return place_of_group_[g] == kParent ? kParentPlaces + g : place_of_group_[g];
  }

  bool reaches(size_t from, size_t to) const {
    std::set<size_t> seen{from};
    std::vector<size_t> next{from};
    while (!next.empty()) {
      size_t at = next.back();
      next.pop_back();
      if (at == to) return true;
      auto it = reads_.find(at);
      if (it == reads_.end()) continue;
      for (size_t read : it->second)
        if (seen.insert(read).second) next.push_back(read);
    }
    return false;
  }

  // The place the group's reads would make read `place` back, if any.
  std::optional<size_t> cycle_through(size_t place, const Group& group) const {
    for (size_t need : group.needs)
      if (size_t read = place_of(need); read != place && reaches(read, place)) return read;
    return std::nullopt;
  }

  std::string place_name(size_t place) const {
    return place == kParent || place >= kParentPlaces ? "the parent stack" : stack_id(place);
  }

  // A deployed group's reads, checked for a cycle between stacks that an edit would make.
  void link(size_t g) {
    const Group& group = groups_[g];
    size_t at = place_of(g);
    if (auto cycle = cycle_through(at, group)) {
      report(errors_, group.components.front(), check::kCycle,
             fmt::format("{} is deployed in {} and stays there, but now reads {}, which reads "
                         "{}: CloudFormation cannot order stacks that read each other; remove the "
                         "new reference, or remove {} (--allow-delete) and add it back in the next "
                         "deploy", join_names(group.components, " and "), place_name(at),
                         place_name(*cycle), place_name(at), group.components.front()));
      return;
    }
    add_reads(g);
  }

  void add_reads(size_t g) {
    for (size_t need : groups_[g].needs)
      if (place_of(need) != place_of(g)) reads_[place_of(g)].insert(place_of(need));
  }

  void place_new(size_t g) {
    const Group& group = groups_[g];
    std::vector<size_t> candidates;
    for (size_t b = 0; b < deployed_bins_; ++b) candidates.push_back(b);
    if (bins_.size() > deployed_bins_) candidates.push_back(bins_.size() - 1);
    for (size_t b : candidates)
      if (overflow(b, group).empty() && !cycle_through(b, group)) {
        put(g, b);
        add_reads(g);
        return;
      }
    bins_.emplace_back();
    std::vector<std::string> over = overflow(bins_.size() - 1, group);
    if (over.empty()) {
      put(g, bins_.size() - 1);
      add_reads(g);
      return;
    }
    bins_.pop_back();
    report(errors_, group.components.front(), check::kQuota,
           fmt::format("{} reference each other and would make {}, more than one stack takes: "
                       "split them into fewer references", first_few(group.components),
                       fmt::join(over, ", ")));
  }

  void put(size_t g, size_t b) {
    const Group& group = groups_[g];
    place_of_group_[g] = b;
    if (b == kParent) {
      for (const auto& id : group.resources) bin_of_[id] = kParent;
      parent_resources_.insert(parent_resources_.end(), group.resources.begin(), group.resources.end());
      return;
    }
    Bin& bin = bins_[b];
    for (const auto& target : group.imports) {
      auto it = bin_of_.find(target.id);
      if (it == bin_of_.end() || it->second != b) bin.imports.insert(target);
    }
    for (const auto& id : group.resources) bin_of_[id] = b;
    bin.exports.insert(group.exports.begin(), group.exports.end());
    bin.app_outputs += group.outputs;
    bin.resources.insert(bin.resources.end(), group.resources.begin(), group.resources.end());
    bin.groups.push_back(g);
    bin.bytes += group.bytes;
  }

  static std::string stack_id(size_t bin) { return fmt::format("{}{:02}", kStackPrefix, bin + 1); }

  // The name a stack's parameter and output give a target: its own id for a Ref, the id and
  // attribute otherwise ("UsersTableStreamArn"), made unique.
  std::string name_of(const Target& target) {
    if (target.attribute.empty()) return target.id;
    auto [it, inserted] = names_.try_emplace(target);
    if (!inserted) return it->second;
    std::string name = target.id;
    for (char c : target.attribute)
      if (std::isalnum(static_cast<unsigned char>(c))) name += c;
    std::string unique = name;
    for (int n = 2; taken_.count(unique); ++n) unique = name + std::to_string(n);
    taken_.insert(unique);
    return it->second = unique;
  }

  // The stack pseudo parameters name the parent: a nested stack has its own.
  static bool names_stack(const std::string& id) {
    return id == "AWS::StackName" || id == "AWS::StackId";
  }

  static json value_of(const Target& target) {
    return target.attribute.empty() ? cfn::ref(target.id) : cfn::get_att(target.id, target.attribute);
  }

  Stacks write() {
    std::vector<Template> nested(bins_.size());
    std::vector<std::set<std::string>> parameters(bins_.size());
    for (size_t b = 0; b < bins_.size(); ++b) {
      Bin& bin = bins_[b];
      Template& part = nested[b];
      part.description = fmt::format("{} (pareto): {}", app_, stack_id(b));
      for (const auto& id : bin.resources) {
        json resource = std::move(t_.resources[id]);  // the keys stay, for the checks below
        relink(resource, [&](const Target& target) -> std::optional<Replacement> {
          if (t_.parameters.contains(target.id)) {
            parameters[b].insert(target.id);
            return std::nullopt;
          }
          if (names_stack(target.id)) {
            std::string name = "Parent" + target.id.substr(5);
            bin.inputs[name] = target;
            return Replacement{name, {{"Ref", name}}};
          }
          if (!t_.resources.contains(target.id) || bin_of_.at(target.id) == b)
            return std::nullopt;
          if (json value = computed(target); !value.is_null()) {
            for (const auto& p : references(value).refs)
              if (t_.parameters.contains(p)) parameters[b].insert(p);
            return Replacement{name_of(target), std::move(value)};
          }
          std::string name = name_of(target);
          bin.inputs[name] = target;
          if (size_t from = bin_of_.at(target.id); from != kParent) bins_[from].outputs[name] = target;
          return Replacement{name, {{"Ref", name}}};
        });
        std::vector<std::string> inside;
        for (const auto& d : depends_on(resource)) {
          size_t from = bin_of_.at(d);
          if (from == b) inside.push_back(d);
          else if (from == kParent) bin.after_parent.insert(d);
          else bin.after.insert(from);
        }
        if (resource.contains("DependsOn")) {
          if (inside.empty()) resource.erase("DependsOn");
          else resource["DependsOn"] = inside.size() == 1 ? json(inside[0]) : json(inside);
        }
        part.resources[id] = std::move(resource);
      }
    }
    // The parent reads nested stacks' outputs directly.
    auto from_parent = [&](const Target& target) -> std::optional<Replacement> {
      if (!t_.resources.contains(target.id) || bin_of_.at(target.id) == kParent) return std::nullopt;
      if (json value = computed(target); !value.is_null()) return Replacement{name_of(target), std::move(value)};
      size_t b = bin_of_.at(target.id);
      std::string name = name_of(target);
      bins_[b].outputs[name] = target;
      return Replacement{name, cfn::get_att(stack_id(b), "Outputs." + name)};
    };
    Template parent;
    parent.description = t_.description;
    parent.metadata = t_.metadata;
    parent.parameters = t_.parameters;
    for (const auto& id : parent_resources_) {
      json resource = std::move(t_.resources[id]);
      relink(resource, from_parent);
      std::set<std::string> after;
      for (const auto& d : depends_on(resource))
        after.insert(bin_of_.at(d) == kParent ? d : stack_id(bin_of_.at(d)));
      if (resource.contains("DependsOn"))
        resource["DependsOn"] = after.size() == 1 ? json(*after.begin()) : json(after);
      parent.resources[id] = std::move(resource);
    }
    // An output goes with the one stack it reads (the parent could not hold them all).
    for (auto& [id, output] : t_.outputs.items()) {
      if (auto b = only_reader(output, bin_of_); b && *b != kParent) {
        bins_[*b].own_outputs[id] = std::move(output);
        continue;
      }
      json value = std::move(output);
      relink(value, from_parent);
      parent.outputs[id] = std::move(value);
    }
    if (!parent.parameters.contains("ArtifactsBucket"))
      parent.parameters["ArtifactsBucket"] = parameter_defaults()["ArtifactsBucket"];

    Stacks out;
    size_t written = 0;
    for (size_t b = 0; b < bins_.size(); ++b) {
      Bin& bin = bins_[b];
      if (bin.resources.empty()) continue;  // what a deployed stack held is gone
      ++written;
      Template& part = nested[b];
      json passed = json::object();
      for (const auto& p : parameters[b]) {
        part.parameters[p] = t_.parameters[p];
        passed[p] = cfn::ref(p);
      }
      std::set<size_t> read;
      for (const auto& [name, target] : bin.inputs) {
        part.parameters[name] = {{"Type", "String"}};
        if (names_stack(target.id)) {
          passed[name] = cfn::ref(target.id);
          continue;
        }
        size_t from = bin_of_.at(target.id);
        if (from == kParent) {
          passed[name] = value_of(target);
          continue;
        }
        read.insert(from);
        passed[name] = cfn::get_att(stack_id(from), "Outputs." + name);
      }
      for (const auto& [name, target] : bin.outputs) part.outputs[name] = {{"Value", value_of(target)}};
      std::string text;
      // The app's outputs carry a description; one named as a value passed on is its Ref.
      for (const auto& [id, output] : bin.own_outputs.items()) {
        if (part.outputs.contains(id) && part.outputs[id]["Value"] != output["Value"])
          report(errors_, origin_in(t_.origins, id), check::kIdCollision,
                 fmt::format("the output {} would pass two values out of {}", id, stack_id(b)));
        part.outputs[id] = output;
      }
      std::vector<std::string> over = dump(std::move(part), text);
      NestedStack stack{stack_id(b),
                        fmt::format("pareto/{}/stacks/{}-{:016x}.json", app_, stack_id(b),
                                    fnv1a(text)),
                        std::move(text)};
      json resource = {{"Type", "AWS::CloudFormation::Stack"},
                       {"Properties",
                        {{"TemplateURL",
                          cfn::sub("https://${ArtifactsBucket}.s3.${AWS::Region}.${AWS::URLSuffix}/" +
                                   stack.key)},
                         {"Parameters", std::move(passed)}}}};
      json after = json::array();
      for (size_t before : bin.after)
        if (!read.count(before)) after.push_back(stack_id(before));
      for (const auto& id : bin.after_parent) after.push_back(id);
      if (!after.empty()) resource["DependsOn"] = std::move(after);
      parent.resources[stack.name] = std::move(resource);
      if (!over.empty())
        report(errors_, "", check::kQuota,
               fmt::format("the nested stack {} would have {}", stack.name, fmt::join(over, ", ")));
      out.nested.push_back(std::move(stack));
    }
    if (auto over = dump(std::move(parent), out.parent_json); !over.empty())
      report(errors_, "", check::kQuota,
             fmt::format("split into {} nested stacks, the parent stack would still have {}: "
                         "split the app into several", written, fmt::join(over, ", ")));
    return out;
  }

  // Writes a template, moving it out; returns the quotas it breaks.
  static std::vector<std::string> dump(Template&& t, std::string& text) {
    std::vector<std::string> over = over_quotas(t, 0);
    text = std::move(t).dump();
    for (auto& bytes : over_quotas(Template{}, text.size())) over.push_back(std::move(bytes));
    return over;
  }

  Template t_;
  std::string app_;
  Diagnostics& errors_;
  std::vector<Group> groups_;
  std::map<std::string, size_t> group_of_;
  std::map<std::string, size_t> pinned_;  // deployed resource → its bin, or kParent
  size_t deployed_bins_ = 0;              // bins below it exist in the deployed stack
  std::vector<Bin> bins_;
  std::vector<std::string> parent_resources_;
  std::map<std::string, size_t> bin_of_;
  std::vector<size_t> place_of_group_;
  std::map<size_t, std::set<size_t>> reads_;  // place → the places it reads
  std::map<Target, std::string> names_;
  std::set<std::string> taken_;
  std::map<std::string, std::pair<json, json>> fixed_names_;  // id → its name, its ARN
};

}  // namespace

Stacks stack_up(const Template& t, std::string_view app, const Placement& deployed,
                Diagnostics& errors) {
  bool nested_deployed = std::any_of(deployed.begin(), deployed.end(),
                                     [](const auto& entry) { return !entry.second.empty(); });
  if (!nested_deployed && over_quotas(t, 0).empty()) {
    std::string text = t.dump();
    if (text.size() <= kMaxTemplateBytes) return {std::move(text), {}};  // the bytes uploaded
  }
  return Splitter(t, app, deployed, errors).split();
}

}  // namespace pareto
