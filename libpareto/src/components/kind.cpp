#include "components/kind.hpp"

#include <fmt/format.h>

#include "names.hpp"

namespace pareto {
using nlohmann::json;

std::string Component::id(std::string_view suffix) const { return logical_id(name, suffix); }
std::string Component::id() const { return id(kind->suffix); }

const Kind* Model::kind(std::string_view key) const {
  for (const Kind* kind : kinds)
    if (kind->key == key) return kind;
  return nullptr;
}

const std::vector<Component>& Model::of(std::string_view key) const {
  static const std::vector<Component> kNone;
  auto it = components.find(key);
  return it == components.end() ? kNone : it->second;
}

const Component* Model::find(std::string_view key, std::string_view name) const {
  auto it = index_.find(std::string(key) + "/" + std::string(name));
  return it == index_.end() ? nullptr : &of(key)[it->second];
}

const Component* Model::at(std::string_view pointer) const {
  auto it = by_pointer_.find(std::string(entry_pointer(pointer)));
  return it == by_pointer_.end() ? nullptr : &of(it->second.first)[it->second.second];
}

void Model::add(Component c) {
  auto& list = components[c.kind->key];
  index_.emplace(std::string(c.kind->key) + "/" + c.name, list.size());
  by_pointer_.emplace(c.pointer, std::pair(c.kind->key, list.size()));
  list.push_back(std::move(c));
}

const Component* Checker::require(std::string_view key, std::string_view name,
                                  const std::string& pointer) {
  if (const Component* found = model_.find(key, name)) {
    // The referring component is the one whose entry holds the reference.
    if (const Component* owner = model_.at(pointer); owner && pointer.size() > owner->pointer.size()) {
      std::string field = pointer.substr(owner->pointer.size() + 1);
      link(*owner, *found, field.substr(0, field.find('/')), pointer);
    }
    return found;
  }
  std::vector<std::string> declared;
  for (const auto& c : model_.of(key)) declared.push_back(c.name);
  const Kind* kind = model_.kind(key);
  std::string message = fmt::format("no {} is named \"{}\"", kind->noun, name);
  if (std::string hint = nearest(name, declared); !hint.empty())
    message += fmt::format("; did you mean \"{}\"?", hint);
  else if (declared.empty())
    message += fmt::format("; declare it under \"{}\"", key);
  else
    message += fmt::format(" (declared: {})", join_names(declared, " and "));
  error(pointer, check::kUnknownRef, message);
  return nullptr;
}

void Checker::link(const Component& from, const Component& to, std::string label,
                   const std::string& pointer) {
  links_at_[pointer].push_back(links_.size());
  links_.push_back({&from, &to, std::move(label), pointer});
}

void Checker::source(const std::string& pointer, const std::string& label) {
  for (size_t i : links_at_[pointer]) {
    std::swap(links_[i].from, links_[i].to);
    links_[i].label = label;
  }
}

void Checker::bind(const std::string& action, const std::string& pointer, std::string what,
                   const std::string& label) {
  for (size_t i : links_at_[pointer]) links_[i].label = label.empty() ? "triggers" : label;
  auto [it, inserted] = bound_.try_emplace(action, pointer, what);
  if (!inserted)
    error(pointer, check::kBoundTwice,
          fmt::format("action \"{}\" is already bound to {} ({}); an action serves one endpoint, "
                      "queue, topic or timer",
                      action, it->second.second, it->second.first));
}

void Checker::name_length(const Component& c, std::string_view what, size_t extra,
                          size_t limit) {
  size_t length = model_.app.size() + 1 + kMaxStageLength + 1 + c.name.size() + extra;
  name_uses_.push_back({fmt::format("{} name length", what),
                        fmt::format("{}-<stage>-{}{}", model_.app, c.name, extra ? "…" : ""),
                        length, limit, c.pointer + "/name"});
  if (length > limit)
    error(c.pointer + "/name", check::kNameLength,
          fmt::format("the {} name \"{}-<stage>-{}…\" can reach {} characters with a {}-character "
                      "stage; AWS allows {}: shorten the app or component name",
                      what, model_.app, c.name, length, kMaxStageLength, limit));
}

void Checker::error(const std::string& pointer, std::string_view check, std::string message) {
  report(errors_, pointer, check, std::move(message));
}

void Renderer::resource(const std::string& id, json resource, const std::string& origin) {
  if (auto [it, inserted] = out_.origins.try_emplace(id, origin); !inserted) {
    error(origin, check::kIdCollision,
          fmt::format("the logical id {} is already made for {}; rename one of them", id,
                      it->second));
    return;
  }
  out_.resources[id] = std::move(resource);
}

bool Renderer::retains(const Component& c) const {
  if (c.spec->contains("retain")) return (*c.spec)["retain"].get<bool>();
  return model_.config.value("retain", true);
}

void Renderer::data_resource(const Component& c, json definition) {
  if (retains(c)) {
    definition["DeletionPolicy"] = "Retain";
    definition["UpdateReplacePolicy"] = "Retain";
  }
  resource(c.id(), std::move(definition), c.pointer);
}

void Renderer::output(const std::string& id, json value, std::string description,
                      const std::string& origin) {
  if (out_.outputs.contains(id)) {
    error(origin, check::kIdCollision, fmt::format("the output {} is made twice", id));
    return;
  }
  out_.outputs[id] = {{"Description", std::move(description)}, {"Value", std::move(value)}};
}

const json& Renderer::options(const char* key) const {
  static const json kOff;
  const json& config = model_.config;
  return config.contains(key) ? config[key] : kOff;
}

bool Renderer::has(const std::string& id) const { return out_.resources.contains(id); }

void Renderer::parameter(const std::string& id, json parameter, const std::string& origin) {
  out_.origins.try_emplace(id, origin);
  out_.parameters[id] = std::move(parameter);
}

void Renderer::tag(const Component& c) {
  // A custom kind's entry means by "tags" what its schema says.
  if (c.kind->custom || !c.spec->contains("tags") || (*c.spec)["tags"].empty()) return;
  auto resource = out_.resources.find(c.id());
  if (resource == out_.resources.end()) return;
  json& properties = (*resource)["Properties"];
  const json& tags = (*c.spec)["tags"];
  if ((*resource)["Type"] == "AWS::Cognito::UserPool") {  // a map, where others take a list
    properties["UserPoolTags"].update(tags);
    return;
  }
  json& list = properties["Tags"];
  if (list.is_null()) list = json::array();
  for (const auto& [key, value] : tags.items()) list.push_back({{"Key", key}, {"Value", value}});
}

void Renderer::grant(const std::string& action, Grant grant) {
  grants_[action].push_back(std::move(grant));
}

const std::vector<Grant>& Renderer::grants(const std::string& action) const {
  static const std::vector<Grant> kNone;
  auto it = grants_.find(action);
  return it == grants_.end() ? kNone : it->second;
}

void Renderer::error(const std::string& pointer, std::string_view check, std::string message) {
  report(errors_, pointer, check, std::move(message));
}

json Renderer::physical_name(std::string_view name, std::string_view extra,
                             std::string_view separator) const {
  return cfn::sub(fmt::format("{1}{0}${{StageName}}{0}{2}{3}", separator, model_.app, name, extra));
}

namespace cfn {
json ref(std::string_view id) { return {{"Ref", id}}; }
json get_att(std::string_view id, std::string_view attribute) {
  return {{"Fn::GetAtt", {id, attribute}}};
}
json sub(std::string text) { return {{"Fn::Sub", std::move(text)}}; }
}  // namespace cfn

}  // namespace pareto
