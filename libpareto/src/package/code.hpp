// What each function and each builder ships: an archive of its own, rooted at its folder, with the
// shared folders it names and its dependencies. Planned here, once, so that Lambda, pareto test
// and every host agree on the layout and the bytes.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "diagnostic.hpp"

namespace pareto {

struct Model;

// A manifest beside a handler that an installer turns into the packages the archive carries.
struct Dependencies {
  std::string installer;               // "pip" | "npm"
  std::vector<std::string> manifests;  // relative to the app: requirements.txt, or package.json
                                       // and package-lock.json
};

struct CodeUnit {
  std::string name;     // the component's
  std::string kind;     // "actions" | "builders"
  std::string origin;   // its config entry
  std::string folder;   // relative to the app; the archive's root
  std::string runtime;  // "python" | "nodejs"; "" for a builder
  std::string version;  // the runtime's ("3.13", "22"); "" when the stack's parameter gives it
  std::string architecture = "x86_64";  // or "arm64": what dependencies are built for
  std::vector<std::string> shared;  // folders shipped beside it, each as <its name>/
  std::optional<Dependencies> dependencies;
  std::map<std::string, std::string> files;  // archive path → path relative to the app
  std::string digest;   // sha256 (hex) of what the archive is made from
  // Where the archive is uploaded: content-addressed, so an unchanged function keeps its key. With
  // dependencies the runtime version and architecture they are built for are part of it, the
  // version parameter's as {"Fn::Sub": ...} when the action names none.
  nlohmann::json key(std::string_view app) const;
  nlohmann::json describe(std::string_view app) const;  // pareto_app_functions' entry
};

// Every action's and builder's unit, with the files it ships (read once, here, to digest them):
// links out of the app, private keys, clashing paths and manifests that cannot install are
// reported at the component. Without a folder, units ship nothing and digest their description.
std::vector<CodeUnit> plan_code(const Model& model, const std::optional<std::filesystem::path>& base,
                                Diagnostics& errors);

// The folder of the build cache that holds (or will hold) a unit's installed dependencies, keyed
// by the manifests' bytes, the installer, the runtime's version and the architecture; the
// installer's version is in its stamp, and a different one builds again.
std::filesystem::path dependencies_folder(const std::filesystem::path& base,
                                          const Dependencies& dependencies,
                                          std::string_view runtime, std::string_view version,
                                          std::string_view architecture);
// The runtime version a unit's dependencies are built for: its own (`version`), or else of the
// template's parameter values ({"RuntimeVersion": "3.12", "NodejsVersion": "22"}).
std::string runtime_version(const nlohmann::json& parameters, std::string_view runtime,
                            std::string_view version = "");
inline constexpr std::string_view kDependenciesStamp = "pareto-build.json";

// The files an installed dependencies folder adds to the archive: archive path → file.
std::map<std::string, std::filesystem::path> dependency_files(const std::filesystem::path& folder,
                                                              const std::string& installer);

// The unit's archive: its files, and the dependencies installed in `dependencies` (none: empty).
// Throws ArchiveError (package/archive.hpp) when a file cannot be read or two land on one path.
std::string package_unit(const std::filesystem::path& base, const CodeUnit& unit,
                         const std::optional<std::filesystem::path>& dependencies);

std::string sha256_hex(std::string_view bytes);

}  // namespace pareto
