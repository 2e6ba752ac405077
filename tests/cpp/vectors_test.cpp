// The shared vectors: every tests/vectors/<topic>/<case>/pareto.yaml gives exactly the bytes of
// its template.json, or exactly the errors of its errors.json (minus "file", which names the case
// the way each runner loaded it). PARETO_UPDATE_GOLDEN=1 rewrites the goldens instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "pareto/pareto.hpp"

namespace fs = std::filesystem;

namespace examples {
void add_stream_kind(pareto::Kinds& kinds, const std::string& definition_file);
}

namespace {

const fs::path kVectors = fs::path(PARETO_SOURCE_DIR) / "tests" / "vectors";

std::vector<fs::path> cases() {
  std::vector<fs::path> found;
  if (!fs::exists(kVectors)) return found;
  for (const auto& entry : fs::recursive_directory_iterator(kVectors))
    if (entry.path().filename() == "pareto.yaml") found.push_back(entry.path().parent_path());
  std::sort(found.begin(), found.end());
  return found;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The kinds a case's "kinds" key names: Python and Node load their modules, C++ registers the
// same kinds compiled in (the example kind's renderer in examples/streams/kinds/stream.cpp).
pareto::Kinds kinds_of(const fs::path& dir) {
  pareto::Kinds kinds;
  auto modules = nlohmann::json::parse(pareto::App::from_path(dir.string()).kind_modules());
  for (const std::string module : modules) {
    EXPECT_EQ(fs::path(module).filename(), "stream") << "no C++ kind for module " << module;
    examples::add_stream_kind(kinds, (dir / (module + ".json")).string());
  }
  return kinds;
}

nlohmann::json without_file(nlohmann::json errors) {
  for (auto& error : errors) error.erase("file");
  return errors;
}

class Vector : public testing::TestWithParam<fs::path> {};

TEST_P(Vector, MatchesGolden) {
  const fs::path dir = GetParam();
  const pareto::Kinds kinds = kinds_of(dir);
  const pareto::App app = pareto::App::from_path((dir / "pareto.yaml").string(), &kinds);
  const fs::path template_golden = dir / "template.json", errors_golden = dir / "errors.json";
  const char* update = std::getenv("PARETO_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    fs::remove(template_golden);
    fs::remove(errors_golden);
    if (app.valid())
      write(template_golden, app.synth());
    else
      write(errors_golden, without_file(nlohmann::json::parse(app.errors())).dump(2) + "\n");
    return;
  }
  if (fs::exists(template_golden)) {
    ASSERT_TRUE(app.valid()) << app.errors();
    EXPECT_EQ(app.synth(), read(template_golden));
  } else {
    ASSERT_TRUE(fs::exists(errors_golden)) << dir << " has neither template.json nor errors.json";
    EXPECT_FALSE(app.valid());
    EXPECT_EQ(without_file(nlohmann::json::parse(app.errors())),
              nlohmann::json::parse(read(errors_golden)));
  }
}

// Every check id has an error vector that makes it, but those only a custom kind's renderer
// can cause, which a C++ test (named here) asserts instead: the shared cases load the example
// kind alone, which renders soundly.
TEST(Vectors, EveryCheckIdHasAnErrorVector) {
  const std::map<std::string, std::string> kRendererOnly = {
      {"E3010", "custom_test.cpp"}, {"E3011", "custom_test.cpp"}, {"E4004", "custom_test.cpp"},
      {"E4006", "custom_test.cpp"}};
  std::string header = read(fs::path(PARETO_SOURCE_DIR) / "libpareto" / "src" / "diagnostic.hpp");
  std::set<std::string> ids, made;
  const std::regex id(R"re(= "(E[0-9]{4})")re");
  for (auto it = std::sregex_iterator(header.begin(), header.end(), id); it != std::sregex_iterator(); ++it)
    ids.insert((*it)[1]);
  ASSERT_GE(ids.size(), 30u);
  for (const auto& entry : fs::recursive_directory_iterator(kVectors))
    if (std::regex_match(entry.path().filename().string(), std::regex(R"(errors(\.[a-z0-9]+)?\.json)")))
      for (const auto& error : nlohmann::json::parse(read(entry.path()))) made.insert(error["check"]);
  for (const auto& check : ids) {
    if (made.count(check)) continue;
    auto covered = kRendererOnly.find(check);
    ASSERT_NE(covered, kRendererOnly.end()) << check << " has no error vector under tests/vectors";
    std::string test = read(fs::path(PARETO_SOURCE_DIR) / "tests" / "cpp" / covered->second);
    EXPECT_NE(test.find('"' + check + '"'), std::string::npos) << covered->second << " asserts no " << check;
  }
}

// No policy in any golden template grants "Resource": "*": every permission is scoped to a
// component, a pattern (kinds/action/permission-scopes.json) or the user's own ARN.
void wildcards_in(const nlohmann::json& value, const std::string& at, std::vector<std::string>& found) {
  if (value.is_object()) {
    if (auto statements = value.find("Statement"); statements != value.end() && statements->is_array())
      for (const auto& statement : *statements) {
        const auto& resource = statement.value("Resource", nlohmann::json());
        if (resource == "*" || (resource.is_array() && std::count(resource.begin(), resource.end(), "*")))
          found.push_back(at + " " + statement.value("Sid", std::string()));
      }
    for (const auto& [key, child] : value.items()) wildcards_in(child, at + "/" + key, found);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) wildcards_in(value[i], at + "/" + std::to_string(i), found);
  }
}

TEST(Vectors, NoPolicyGrantsEveryResource) {
  std::vector<std::string> found;
  size_t templates = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kVectors))
    if (std::regex_match(entry.path().filename().string(), std::regex(R"(template(\.[a-z0-9]+)?\.json)"))) {
      ++templates;
      wildcards_in(nlohmann::json::parse(read(entry.path())), entry.path().string(), found);
    }
  EXPECT_GE(templates, 40u);  // the census found the goldens
  EXPECT_EQ(found, std::vector<std::string>{});
}

// template.<stage>.json or errors.<stage>.json: the case as that stage sets it (its stages key).
TEST_P(Vector, EachStageMatchesItsGolden) {
  const fs::path dir = GetParam();
  const pareto::Kinds kinds = kinds_of(dir);
  const std::regex golden(R"((template|errors)\.([a-z][a-z0-9]*)\.json)");
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::smatch named;
    std::string file = entry.path().filename().string();
    if (!std::regex_match(file, named, golden)) continue;
    std::string stage = named[2];
    const pareto::App app =
        pareto::App::from_path((dir / "pareto.yaml").string(), &kinds, stage);
    if (const char* update = std::getenv("PARETO_UPDATE_GOLDEN"); update && std::string(update) == "1") {
      fs::remove(entry.path());
      if (app.valid())
        write(dir / ("template." + stage + ".json"), app.synth());
      else
        write(dir / ("errors." + stage + ".json"), without_file(nlohmann::json::parse(app.errors())).dump(2) + "\n");
      continue;
    }
    if (named[1] == "template") {
      ASSERT_TRUE(app.valid()) << stage << ": " << app.errors();
      EXPECT_EQ(app.synth(), read(entry.path())) << stage;
    } else {
      EXPECT_EQ(without_file(nlohmann::json::parse(app.errors())), nlohmann::json::parse(read(entry.path()))) << stage;
    }
  }
}

std::string case_name(const testing::TestParamInfo<fs::path>& info) {
  std::string name = fs::relative(info.param, kVectors).generic_string();
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Vectors, Vector, testing::ValuesIn(cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Vector);

}  // namespace

// The streams vector is a copy of examples/streams (links out of an app's folder are refused):
// every file of the vector is the example's, byte for byte.
TEST(StreamsVector, IsTheExample) {
  const fs::path vector = kVectors / "custom" / "streams";
  const fs::path example = fs::path(PARETO_SOURCE_DIR) / "examples" / "streams";
  size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(vector)) {
    if (!entry.is_regular_file() || entry.path().filename() == "template.json") continue;
    EXPECT_EQ(read(entry.path()), read(example / entry.path().lexically_relative(vector)))
        << entry.path();
    ++compared;
  }
  EXPECT_EQ(compared, 6u);
}
