// Each function's archive: its files, rooted at its folder, with shared folders under their own
// name; content-addressed keys that change with that function's files only; the manifests that
// mean dependencies, and the build cache's folder for them.
#include <gtest/gtest.h>

#include <fstream>

#include "app.hpp"
#include "package/code.hpp"

namespace pareto {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

class Code : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pareto-code-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& path, const std::string& text) {
    fs::create_directories((dir_ / path).parent_path());
    std::ofstream(dir_ / path) << text;
  }
  Synthesis load(const std::string& yaml) {
    Synthesis out = synthesize(yaml, {.source_name = "pareto.yaml", .base_dir = dir_});
    EXPECT_TRUE(out.ok()) << out.errors_json("pareto.yaml").dump(2);
    return out;
  }
  const CodeUnit& unit(const Synthesis& s, const std::string& name) {
    for (const auto& u : s.code)
      if (u.name == name) return u;
    throw std::runtime_error("no unit " + name);
  }
  json keys(const std::string& yaml) {
    json out = json::object();
    const json templ = json::parse(load(yaml).template_json);
    for (const auto& [id, r] : templ["Resources"].items())
      if (r["Type"] == "AWS::Lambda::Function") out[id] = r["Properties"]["Code"]["S3Key"];
    return out;
  }
  fs::path dir_;
};

constexpr const char* kTwo = "app: x\nshared: [common]\nactions: [{name: a}, {name: b, runtime: nodejs}]\n";

TEST_F(Code, EachActionShipsItsFolderAtTheRootAndSharedFoldersUnderTheirName) {
  write("a/index.py", "import helpers\n");
  write("a/helpers.py", "X = 1\n");
  write("a/tests/test_a.py", "\n");
  write("b/index.js", "\n");
  write("b/node_modules/left-pad/index.js", "\n");  // a developer's install: never shipped
  write("common/util.py", "\n");
  Synthesis s = load(kTwo);
  EXPECT_EQ(unit(s, "a").files, (std::map<std::string, std::string>{
                                    {"common/util.py", "common/util.py"},
                                    {"helpers.py", "a/helpers.py"},
                                    {"index.py", "a/index.py"}}));
  EXPECT_EQ(unit(s, "b").files.count("node_modules/left-pad/index.js"), 0u);
  EXPECT_EQ(unit(s, "b").shared, std::vector<std::string>{"common"});
  json described = unit(s, "a").describe("x");
  EXPECT_EQ(described["handler"], "index.handler");
  EXPECT_EQ(described["dependencies"], json());
}

TEST_F(Code, EditingOneHandlerChangesOnlyItsKey) {
  write("a/index.py", "def handler(e, c): return 1\n");
  write("b/index.js", "exports.handler = async () => 1;\n");
  write("common/util.py", "\n");
  json before = keys(kTwo);
  EXPECT_EQ(keys(kTwo), before);  // the same files, the same keys
  write("a/index.py", "def handler(e, c): return 2\n");
  json after = keys(kTwo);
  EXPECT_NE(after["AFunction"], before["AFunction"]);
  EXPECT_EQ(after["BFunction"], before["BFunction"]);
  write("common/util.py", "CHANGED = 1\n");  // shared code is every action's
  json shared = keys(kTwo);
  EXPECT_NE(shared["AFunction"], after["AFunction"]);
  EXPECT_NE(shared["BFunction"], after["BFunction"]);
  EXPECT_EQ(after["AFunction"].get<std::string>().rfind("pareto/x/actions/a/", 0), 0u);
}

TEST_F(Code, AnExecutableBitIsPartOfTheDigest) {
  write("a/index.py", "\n");
  std::string before = unit(load("app: x\nactions: [{name: a}]\n"), "a").digest;
  fs::permissions(dir_ / "a" / "index.py", fs::perms::owner_exec, fs::perm_options::add);
  EXPECT_NE(unit(load("app: x\nactions: [{name: a}]\n"), "a").digest, before);
}

TEST_F(Code, ManifestsThatAskForPackagesAreDependenciesBuiltForTheRuntimeVersion) {
  write("a/index.py", "\n");
  write("a/requirements.txt", "# pinned\nrequests==2.32.3\n");
  write("b/index.js", "\n");
  write("b/package.json", R"({"dependencies": {"ms": "2.1.3"}})");
  write("b/package-lock.json", "{}");
  write("c/index.py", "\n");
  write("c/requirements.txt", "# nothing yet\n\n");
  Synthesis s = load("app: x\nactions: [{name: a}, {name: b, runtime: nodejs}, {name: c}]\n");
  ASSERT_TRUE(unit(s, "a").dependencies);
  EXPECT_EQ(unit(s, "a").dependencies->installer, "pip");
  EXPECT_EQ(unit(s, "b").dependencies->manifests,
            (std::vector<std::string>{"b/package.json", "b/package-lock.json"}));
  EXPECT_FALSE(unit(s, "c").dependencies);  // comments only: nothing to install
  json key = unit(s, "a").key("x");
  ASSERT_TRUE(key.contains("Fn::Sub"));
  EXPECT_TRUE(key["Fn::Sub"].get<std::string>().ends_with("-python${RuntimeVersion}-x86_64.zip"));
  EXPECT_TRUE(unit(s, "b").key("x")["Fn::Sub"].get<std::string>().ends_with("-nodejs${NodejsVersion}.x-x86_64.zip"));
  EXPECT_TRUE(unit(s, "c").key("x").is_string());
  // A runtime and architecture of the action's own: the key names them as they are.
  write("d/index.py", "\n");
  write("d/requirements.txt", "requests==2.32.3\n");
  Synthesis own = load("app: x\nactions: [{name: d, runtime: python3.13, architecture: arm64}]\n");
  EXPECT_TRUE(unit(own, "d").key("x").get<std::string>().ends_with("-python3.13-arm64.zip"));
  EXPECT_EQ(unit(own, "d").describe("x")["version"], "3.13");

  // The cache: one folder per manifest bytes, runtime version and architecture.
  const Dependencies& pip = *unit(s, "a").dependencies;
  fs::path folder = dependencies_folder(dir_, pip, "python", "3.12", "x86_64");
  EXPECT_EQ(folder.parent_path(), dir_ / ".pareto" / "build");
  EXPECT_EQ(dependencies_folder(dir_, pip, "python", "3.12", "x86_64"), folder);
  EXPECT_NE(dependencies_folder(dir_, pip, "python", "3.13", "x86_64"), folder);
  EXPECT_NE(dependencies_folder(dir_, pip, "python", "3.12", "arm64"), folder);
  write("a/requirements.txt", "requests==2.32.4\n");
  EXPECT_NE(dependencies_folder(dir_, pip, "python", "3.12", "x86_64"), folder);
}

TEST_F(Code, InstalledDependenciesShipWithoutScriptsCachesOrHiddenFiles) {
  write("deps/requests/__init__.py", "\n");
  write("deps/requests/__pycache__/x.pyc", "\n");
  write("deps/bin/normalizer", "#!/home/me/.venv/bin/python\n");
  write("deps/" + std::string(kDependenciesStamp), "{}");
  write("npm/node_modules/ms/index.js", "\n");
  write("npm/node_modules/.package-lock.json", "{}");
  write("npm/package.json", "{}");
  auto pip = dependency_files(dir_ / "deps", "pip");
  ASSERT_EQ(pip.size(), 1u);
  EXPECT_EQ(pip.begin()->first, "requests/__init__.py");
  auto npm = dependency_files(dir_ / "npm", "npm");
  ASSERT_EQ(npm.size(), 1u);
  EXPECT_EQ(npm.begin()->first, "node_modules/ms/index.js");
}

}  // namespace
}  // namespace pareto
