#include "engine/build.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/ranges.h>

#include "engine/files.hpp"
#include "package/code.hpp"

namespace pareto::engine {
namespace fs = std::filesystem;

namespace {

// Lambda's Python runtimes from 3.12 run on Amazon Linux 2023 (glibc 2.34), older ones on Amazon
// Linux 2 (glibc 2.26): every manylinux wheel up to that glibc runs there. pip expands
// manylinux2014 to the older tags, but no manylinux_2_X to its predecessors, so each is named.
std::vector<std::string> wheel_platforms(const std::string& version, const std::string& architecture) {
  std::string arch = architecture == "arm64" ? "aarch64" : architecture;
  int minor = version.size() > 2 ? std::atoi(version.c_str() + 2) : 0;
  int newest = minor >= 12 ? 34 : 26;
  std::vector<std::string> out{"manylinux2014_" + arch};
  for (int glibc = 17; glibc <= newest; ++glibc) out.push_back(fmt::format("manylinux_2_{}_{}", glibc, arch));
  return out;
}

std::string tail(const std::string& output, size_t lines) {
  size_t at = output.size();
  while (at > 0 && std::isspace(static_cast<unsigned char>(output[at - 1]))) --at;
  size_t end = at;
  for (size_t seen = 0; at > 0 && seen <= lines; --at)
    if (output[at - 1] == '\n' && ++seen > lines) break;
  return output.substr(at, end - at);
}

struct Tool {
  std::vector<std::string> argv;
  std::string version;
};

// The installer: as the host names it (a host that knows its version without starting it keeps
// a cached build from starting any process), or else pip of the host's Python and npm on PATH,
// asked for their version.
Task<Tool> find_tool(Session& session, std::map<std::string, Tool>& tools, std::string name) {
  if (auto it = tools.find(name); it != tools.end()) co_return it->second;
  json step = {{"step", "tool"}, {"name", name}};
  json answer = co_await session.perform(step);
  Tool tool;
  if (answer.is_object() && answer.contains("argv") && answer["argv"].is_array() &&
      !answer["argv"].empty() && answer.value("version", "") != "") {
    tool = {answer["argv"].get<std::vector<std::string>>(), answer["version"]};
  } else {
    tool.argv = name == "pip" ? std::vector<std::string>{"python", "-m", "pip"}
                              : std::vector<std::string>{"npm"};
    std::vector<std::string> argv = tool.argv;
    argv.push_back("--version");
    json outcome = co_await session.run(argv, ".", json::object());
    std::string output = outcome.value("output", "");
    if (outcome.value("exit", 127) != 0)
      throw Stop(fmt::format("{} is needed to install the functions' dependencies, and `{}` "
                             "failed: {}", name, fmt::join(argv, " "), tail(output, 3)));
    std::istringstream words(output);  // "pip 24.3.1 from ..." or "11.19.1"
    if (name == "pip") words >> tool.version;
    words >> tool.version;
  }
  tools[name] = tool;
  co_return tool;
}

struct Install {
  std::string name;        // the action's
  std::string runtime;     // "python" | "nodejs"
  std::string version;     // "3.12" | "22"
  std::string architecture;  // "x86_64" | "arm64"
  Dependencies dependencies;
  fs::path folder;         // the build cache's
};

std::string platform_of(const Install& install) {
  return install.runtime == "nodejs"
             ? fmt::format("nodejs{}.x, linux {}", install.version, install.architecture)
             : fmt::format("python{}, {}", install.version, install.architecture);
}

// Why an install failed, said so the user can act: a package without a wheel for Lambda is the
// common case (pip builds none from source here, where it would build for this machine).
std::string failure(const Install& install, const std::string& output) {
  std::smatch found;
  static const std::regex kNoWheel("No matching distribution found for ([^\\r\\n]+)");
  if (install.dependencies.installer == "pip" && std::regex_search(output, found, kNoWheel))
    return fmt::format(
        "action \"{}\": {} ({}) has no wheel for Lambda's platform ({}; manylinux, CPython): "
        "pareto installs binary wheels only, so that it needs no Docker. Pin a version that "
        "publishes manylinux wheels, or build the package in a builder or ship it in a layer",
        install.name, std::string(found[1]), install.dependencies.manifests.front(),
        platform_of(install));
  return fmt::format("action \"{}\": {} could not install {} for Lambda ({}):\n{}", install.name,
                     install.dependencies.installer, install.dependencies.manifests.front(),
                     platform_of(install), tail(output, 20));
}

Task<void> install(Session& session, std::map<std::string, Tool>& tools, const fs::path& base,
                   Install job) {
  Tool tool = co_await find_tool(session, tools, job.dependencies.installer);
  std::string installer = fmt::format("{} {}", job.dependencies.installer, tool.version);
  fs::path stamp = job.folder / std::string(kDependenciesStamp);
  if (auto text = read_text_file(stamp.string())) {
    json built = json::parse(*text, nullptr, false);
    if (built.is_object() && built.value("installer", "") == installer) co_return;
  }
  std::string line = fmt::format("installing the dependencies of {} ({}) with {} for {}\n",
                                 job.name, job.dependencies.manifests.front(), installer,
                                 platform_of(job));
  co_await session.err(line);
  fs::path partial = job.folder;
  partial += ".partial";
  std::error_code error;
  fs::remove_all(partial, error);
  fs::create_directories(partial, error);
  if (error) throw Stop(fmt::format("cannot make {}: {}", partial.string(), error.message()));
  std::vector<std::string> argv = tool.argv;
  std::string cwd = base.string();
  if (job.dependencies.installer == "pip") {
    argv.insert(argv.end(), {"install", "--requirement",
                             (base / job.dependencies.manifests.front()).string(), "--target",
                             partial.string(), "--implementation", "cp", "--python-version",
                             job.version, "--only-binary=:all:", "--no-compile",
                             "--disable-pip-version-check", "--no-input", "--no-warn-script-location"});
    for (const auto& platform : wheel_platforms(job.version, job.architecture)) {
      argv.push_back("--platform");
      argv.push_back(platform);
    }
  } else {
    for (const auto& manifest : job.dependencies.manifests)
      fs::copy_file(base / manifest, partial / fs::path(manifest).filename(),
                    fs::copy_options::overwrite_existing, error);
    if (error) throw Stop(fmt::format("cannot copy the manifests of {}: {}", job.name, error.message()));
    argv.insert(argv.end(), {"ci", "--omit=dev", "--os=linux",
                             job.architecture == "arm64" ? "--cpu=arm64" : "--cpu=x64", "--no-audit",
                             "--no-fund", "--loglevel=error"});
    cwd = partial.string();
  }
  json env = {{"npm_config_update_notifier", "false"}};
  json outcome = co_await session.run(argv, cwd, env);
  if (outcome.value("exit", 127) != 0) {
    fs::remove_all(partial, error);
    throw Stop(failure(job, outcome.value("output", "")));
  }
  json built = {{"installer", installer},
                {"platform", platform_of(job)},
                {"manifests", job.dependencies.manifests}};
  if (!write_atomically((partial / std::string(kDependenciesStamp)).string(), built.dump(2) + "\n"))
    throw Stop(fmt::format("cannot write in {}", partial.string()));
  fs::remove_all(job.folder, error);
  fs::rename(partial, job.folder, error);
  if (error) throw Stop(fmt::format("cannot move {} into place: {}", partial.string(), error.message()));
}

}  // namespace

json parameter_values(const json& templ, const std::vector<std::pair<std::string, std::string>>& given) {
  json out = json::object();
  const json parameters = templ.value("Parameters", json::object());
  for (const auto& [name, parameter] : parameters.items())
    if (parameter.contains("Default"))
      out[name] = parameter["Default"].is_string() ? parameter["Default"].get<std::string>()
                                                   : parameter["Default"].dump();
  for (const auto& [name, value] : given) out[name] = value;
  return out;
}

std::string resolve_key(const json& key, const json& parameters) {
  if (key.is_string()) return key;
  std::string text = key.value("Fn::Sub", "");
  for (const auto& [name, value] : parameters.items()) {
    std::string placeholder = "${" + name + "}";
    for (size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at))
      text.replace(at, placeholder.size(), value.get<std::string>());
  }
  return text;
}

void add_import_path(json& env, const std::string& base_dir, const json& function,
                     std::vector<std::string> first) {
  for (const auto& shared : function.value("shared", json::array()))
    first.push_back(fs::weakly_canonical(fs::path(base_dir) / shared.get<std::string>()).parent_path().string());
  const char* variable = function.value("runtime", "") == "python" ? "PYTHONPATH" : "NODE_PATH";
  if (const char* path = std::getenv(variable); path && *path) first.emplace_back(path);
  if (!first.empty()) env[variable] = fmt::format("{}", fmt::join(first, ":"));
}

Task<std::vector<Built>> build_code(Session& session, const App& app, json parameters) {
  if (app.base_dir().empty())
    throw Stop("the app was not loaded from a folder: there are no sources to package");
  fs::path base = app.base_dir();
  std::map<std::string, Tool> tools;
  std::vector<Built> out;
  const json functions = json::parse(app.functions());
  for (const auto& function : functions) {
    std::string kind = function.contains("action") ? "actions" : "builders";
    std::string name = function.contains("action") ? function["action"] : function["builder"];
    std::string folder;
    if (!function["dependencies"].is_null()) {
      std::string runtime = function["runtime"];
      std::string own = function["version"].is_string() ? function["version"].get<std::string>() : "";
      Install job{name, runtime, runtime_version(parameters, runtime, own), function["architecture"],
                  {function["dependencies"]["installer"],
                   function["dependencies"]["manifests"].get<std::vector<std::string>>()},
                  {}};
      job.folder = dependencies_folder(base, job.dependencies, runtime, job.version, job.architecture);
      folder = job.folder.string();
      co_await install(session, tools, base, std::move(job));
    }
    std::string unit = fmt::format("{}/{}", kind, name), data;
    try {
      data = app.package(unit, folder);
    } catch (const Error& error) {
      throw Stop(fmt::format("the archive of {} could not be written: {}", name, error.what()));
    }
    out.push_back({unit, resolve_key(function["key"], parameters), std::move(data), folder});
  }
  co_return out;
}

}  // namespace pareto::engine
