#include "package/code.hpp"

#include <fmt/format.h>
#include <mbedtls/sha256.h>

#include <array>
#include <fstream>
#include <sstream>

#include "components/kind.hpp"
#include "components/runtime.hpp"
#include "package/archive.hpp"

namespace pareto {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Part of every digest: a change to how archives are laid out changes every key.
constexpr std::string_view kLayout = "pareto code archive 2";

std::optional<std::string> read_text(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return std::nullopt;
  try {
    return read_file(path);
  } catch (const ArchiveError&) {
    return std::nullopt;
  }
}

// Whether a requirements file asks for anything: lines that are not blank or comments.
bool requires_something(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    size_t begin = line.find_first_not_of(" \t\r");
    if (begin != std::string::npos && line[begin] != '#') return true;
  }
  return false;
}

// The unit's dependencies, when its folder has a manifest that asks for some.
std::optional<Dependencies> find_dependencies(const fs::path& base, const Component& action,
                                              Diagnostics& errors) {
  std::string folder = action.string("path");
  if (runtime_of(action.string("runtime")).family == "python") {
    auto text = read_text(base / folder / "requirements.txt");
    if (!text || !requires_something(*text)) return std::nullopt;
    return Dependencies{"pip", {folder + "/requirements.txt"}};
  }
  auto text = read_text(base / folder / "package.json");
  if (!text) return std::nullopt;
  json manifest = json::parse(*text, nullptr, false);
  if (!manifest.is_object()) {
    report(errors, action.pointer + "/path", check::kDependencies,
           fmt::format("{}/package.json is not a JSON object", folder));
    return std::nullopt;
  }
  const json dependencies = manifest.value("dependencies", json::object());
  if (!dependencies.is_object() || dependencies.empty()) return std::nullopt;
  std::error_code error;
  if (!fs::is_regular_file(base / folder / "package-lock.json", error)) {
    report(errors, action.pointer + "/path", check::kDependencies,
           fmt::format("{}/package.json has dependencies but no package-lock.json beside it: run "
                       "npm install there to write it; pareto installs from the lock file (npm "
                       "ci), so every build ships the same packages",
                       folder));
    return std::nullopt;
  }
  return Dependencies{"npm", {folder + "/package.json", folder + "/package-lock.json"}};
}

// The folder's files into the unit, at `prefix`; refusals and clashes reported at `at`.
void ship(const fs::path& base, const std::string& folder, const std::string& prefix,
          const std::string& at, CodeUnit& unit, Diagnostics& errors) {
  Shipped shipped = files_to_ship(base, folder, prefix);
  for (const auto& refusal : shipped.refused) report(errors, at, check::kRefusedFile, refusal.message);
  for (auto& [archived, file] : shipped.files) {
    auto [it, added] = unit.files.emplace(archived, file);
    if (!added)
      report(errors, at, check::kArchivePath,
             fmt::format("{} and {} would both be {} in the archive of {} \"{}\": rename one",
                         it->second, file, archived, unit.kind == "actions" ? "action" : "builder",
                         unit.name));
  }
}

std::string digest_of(const fs::path* base, const CodeUnit& unit) {
  std::string text = fmt::format("{}\n{}\n{}\n{}\n{}\n", kLayout, unit.kind, unit.runtime,
                                 unit.architecture,
                                 unit.dependencies ? unit.dependencies->installer : "");
  if (!base) return sha256_hex(text + "folder " + unit.folder + "\n");
  for (const auto& [archived, file] : unit.files) {
    fs::path path = *base / file;
    auto bytes = read_text(path);
    text += fmt::format("{}\n{}\n{}\n", archived, executable(path) ? "x" : "-",
                        sha256_hex(bytes ? *bytes : std::string()));
  }
  return sha256_hex(text);
}

// Shared folders ship as <their name>/ at the archive's root: importable as is on Lambda (its
// root is on sys.path and NODE_PATH) and from pareto test (their parents are).
void add_shared(const fs::path& base, const Model& model, const Component& action, CodeUnit& unit,
                Diagnostics& errors) {
  std::vector<std::pair<std::string, std::string>> folders;  // folder, where it is named
  const json& everywhere = model.config.value("shared", json::array());
  for (size_t i = 0; i < everywhere.size(); ++i)
    folders.emplace_back(everywhere[i].get<std::string>(), fmt::format("/shared/{}", i));
  const json& own = action["shared"];
  for (size_t i = 0; i < own.size(); ++i)
    folders.emplace_back(own[i].get<std::string>(), fmt::format("{}/shared/{}", action.pointer, i));
  for (const auto& [folder, at] : folders) {
    if (std::find(unit.shared.begin(), unit.shared.end(), folder) != unit.shared.end()) continue;
    std::error_code error;
    if (!fs::is_directory(base / folder, error)) {
      report(errors, at, check::kHandlerMissing,
             fmt::format("shared folder {} is not a folder beside the app description", folder));
      continue;
    }
    unit.shared.push_back(folder);
    ship(base, folder, fs::path(folder).filename().string() + "/", at, unit, errors);
  }
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, 32> digest{};
  if (mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data(), 0) != 0)
    throw std::runtime_error("sha256 failed");
  return fmt::format("{:02x}", fmt::join(digest, ""));
}

json CodeUnit::key(std::string_view app) const {
  std::string stem = fmt::format("pareto/{}/{}/{}/{}", app, kind, name, digest.substr(0, 32));
  if (!dependencies) return stem + ".zip";
  json built = runtime_property({runtime, version});
  if (built.is_string()) return fmt::format("{}-{}-{}.zip", stem, built.get<std::string>(), architecture);
  return cfn::sub(fmt::format("{}-{}-{}.zip", stem, built["Fn::Sub"].get<std::string>(), architecture));
}

json CodeUnit::describe(std::string_view app) const {
  json out = {{kind == "actions" ? "action" : "builder", name}, {"path", folder}};
  if (kind == "actions") {
    out["runtime"] = runtime;
    out["version"] = version.empty() ? json() : json(version);
    out["architecture"] = architecture;
    out["handler"] = "index.handler";
  }
  out["shared"] = shared;
  out["key"] = key(app);
  out["digest"] = digest;
  out["dependencies"] = dependencies ? json{{"installer", dependencies->installer},
                                            {"manifests", dependencies->manifests}}
                                     : json();
  return out;
}

std::vector<CodeUnit> plan_code(const Model& model, const std::optional<fs::path>& base,
                                Diagnostics& errors) {
  std::vector<CodeUnit> units;
  for (const char* kind : {"actions", "builders"})
    for (const auto& component : model.of(kind)) {
      CodeUnit unit;
      unit.name = component.name;
      unit.kind = kind;
      unit.origin = component.pointer;
      unit.folder = component.string("path");
      if (unit.kind == "actions") {
        Runtime runtime = runtime_of(component.string("runtime"));
        unit.runtime = runtime.family;
        unit.version = runtime.version;
        unit.architecture = component.string("architecture");
      }
      if (base) {
        ship(*base, unit.folder, "", component.pointer + "/path", unit, errors);
        if (unit.kind == "actions") {
          add_shared(*base, model, component, unit, errors);
          unit.dependencies = find_dependencies(*base, component, errors);
        }
      }
      unit.digest = digest_of(base ? &*base : nullptr, unit);
      units.push_back(std::move(unit));
    }
  return units;
}

std::string runtime_version(const json& parameters, std::string_view runtime,
                            std::string_view version) {
  if (!version.empty()) return std::string(version);
  const char* name = runtime == "nodejs" ? "NodejsVersion" : "RuntimeVersion";
  return parameters.contains(name) && parameters[name].is_string() ? parameters[name].get<std::string>()
                                                                   : std::string();
}

fs::path dependencies_folder(const fs::path& base, const Dependencies& d, std::string_view runtime,
                             std::string_view version, std::string_view architecture) {
  std::string text = fmt::format("pareto dependencies 1\n{}\n{}{}\n{}\n", d.installer, runtime,
                                 version, architecture);
  for (const auto& manifest : d.manifests) {
    auto bytes = read_text(base / manifest);
    text += fmt::format("{}\n{}\n", fs::path(manifest).filename().string(),
                        sha256_hex(bytes ? *bytes : std::string()));
  }
  return base / ".pareto" / "build" / fmt::format("{}-{}", d.installer, sha256_hex(text).substr(0, 32));
}

std::map<std::string, fs::path> dependency_files(const fs::path& folder, const std::string& installer) {
  std::map<std::string, fs::path> out;
  std::error_code error;
  fs::path root = fs::weakly_canonical(installer == "npm" ? folder / "node_modules" : folder, error);
  fs::path top = fs::weakly_canonical(folder, error);
  if (!fs::is_directory(root, error)) return out;
  for (auto it = fs::recursive_directory_iterator(root, error); !error && it != fs::end(it);
       it.increment(error)) {
    std::string name = it->path().filename().string();
    std::string archived = it->path().lexically_relative(top).generic_string();
    bool directory = it->is_directory(error);
    // Hidden: npm's .bin links and .package-lock.json; bin/: pip's scripts name this machine's
    // interpreter, and Lambda runs none of them.
    bool skipped = name.front() == '.' || name == "__pycache__" ||
                   (installer == "pip" && it.depth() == 0 && name == "bin") ||
                   name == kDependenciesStamp || (!directory && name.ends_with(".pyc"));
    if (skipped) {
      if (directory) it.disable_recursion_pending();
      continue;
    }
    if (directory) continue;
    std::error_code link_error;
    fs::path target = fs::canonical(it->path(), link_error);
    auto [end, at] = std::mismatch(top.begin(), top.end(), target.begin(), target.end());
    if (link_error || end != top.end() || !fs::is_regular_file(target, link_error)) continue;
    out.emplace(archived, it->path());
  }
  if (error) throw ArchiveError(folder.string() + ": " + error.message());
  return out;
}

std::string package_unit(const fs::path& base, const CodeUnit& unit,
                         const std::optional<fs::path>& dependencies) {
  std::map<std::string, fs::path> files;
  for (const auto& [archived, file] : unit.files) files.emplace(archived, base / file);
  if (dependencies)
    for (auto& [archived, file] : dependency_files(*dependencies, unit.dependencies->installer)) {
      if (auto it = unit.files.find(archived); it != unit.files.end())
        throw ArchiveError(fmt::format("{} and the installed dependency {} would both be {} in "
                                       "the archive: rename the source",
                                       it->second, archived, archived));
      files.emplace(archived, std::move(file));
    }
  return build_archive(files);
}

}  // namespace pareto
