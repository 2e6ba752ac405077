// The C boundary: statuses for every misuse, errors as data, and one free function.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "pareto/pareto.h"

namespace {

const std::string kApp = "app: x\nactions: [{name: a}]\n";

TEST(CApi, LoadSynthFree) {
  pareto_app* app = nullptr;
  ASSERT_EQ(pareto_app_load(&app, kApp.data(), kApp.size(), nullptr), PARETO_OK);
  EXPECT_STREQ(pareto_app_errors(app), "[]");
  EXPECT_STREQ(pareto_app_name(app), "x");
  char* json = nullptr;
  ASSERT_EQ(pareto_app_synth(app, &json), PARETO_OK);
  EXPECT_TRUE(nlohmann::json::parse(json).contains("Resources"));
  pareto_free(json);
  pareto_app_free(app);
}

TEST(CApi, InvalidAppsKeepTheirErrorsOnTheHandle) {
  const std::string text = "app: x\nactions: [{name: a, bogus: 1}]\n";
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.source_name = "mine.yaml";
  pareto_app* app = nullptr;
  ASSERT_EQ(pareto_app_load(&app, text.data(), text.size(), &options), PARETO_EINVALID);
  ASSERT_NE(app, nullptr);
  auto errors = nlohmann::json::parse(pareto_app_errors(app));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["file"], "mine.yaml");
  EXPECT_EQ(errors[0]["path"], "/actions/0/bogus");
  char* json = reinterpret_cast<char*>(1);
  EXPECT_EQ(pareto_app_synth(app, &json), PARETO_EINVALID);
  EXPECT_EQ(json, nullptr);
  pareto_app_free(app);
}

TEST(CApi, MisuseIsAStatusNotACrash) {
  pareto_app* app = nullptr;
  EXPECT_EQ(pareto_app_load(nullptr, kApp.data(), kApp.size(), nullptr), PARETO_EARG);
  EXPECT_EQ(pareto_app_load(&app, nullptr, 3, nullptr), PARETO_EARG);
  EXPECT_EQ(pareto_app_load_path(&app, nullptr, nullptr), PARETO_EARG);
  EXPECT_EQ(pareto_app_load_path(&app, "/no/such/place", nullptr), PARETO_EIO);
  pareto_load_options wrong_version = PARETO_LOAD_OPTIONS_INIT;
  wrong_version.version = 999;
  EXPECT_EQ(pareto_app_load(&app, kApp.data(), kApp.size(), &wrong_version), PARETO_EARG);
  EXPECT_EQ(app, nullptr);
  char* json = nullptr;
  EXPECT_EQ(pareto_app_synth(nullptr, &json), PARETO_EARG);
  EXPECT_EQ(pareto_app_functions(nullptr, &json), PARETO_EARG);
  EXPECT_EQ(pareto_app_errors(nullptr), nullptr);
  EXPECT_EQ(pareto_app_name(nullptr), nullptr);
  pareto_app_free(nullptr);
  pareto_free(nullptr);
}

TEST(CApi, EmptyTextIsAnInvalidAppNotAnArgumentError) {
  pareto_app* app = nullptr;
  EXPECT_EQ(pareto_app_load(&app, nullptr, 0, nullptr), PARETO_EINVALID);
  pareto_app_free(app);
}

TEST(CApi, StatusesHaveMessagesAndTheVersionMatches) {
  for (int status : {PARETO_OK, PARETO_ERROR, PARETO_EINVALID, PARETO_ENOMEM, PARETO_EARG, PARETO_EIO})
    EXPECT_GT(std::strlen(pareto_strerror(status)), 0u);
  EXPECT_GT(std::strlen(pareto_strerror(-12345)), 0u);
  EXPECT_STREQ(pareto_version(), PARETO_VERSION_STRING);
  EXPECT_EQ(pareto_version_number(), PARETO_VERSION_MAJOR * 10000 + PARETO_VERSION_MINOR * 100 + PARETO_VERSION_PATCH);
  EXPECT_TRUE(nlohmann::json::parse(pareto_config_schema()).contains("properties"));
}

TEST(CApi, LoadPathFindsTheAppInAFolderAndScansHandlers) {
  pareto_app* app = nullptr;
  ASSERT_EQ(pareto_app_load_path(&app, PARETO_SOURCE_DIR "/examples/hello", nullptr), PARETO_OK);
  char* json = nullptr;
  ASSERT_EQ(pareto_app_functions(app, &json), PARETO_OK);
  EXPECT_EQ(nlohmann::json::parse(json).size(), 4u);
  pareto_free(json);
  pareto_app_free(app);
}

}  // namespace

namespace {

TEST(CApi, RulesCompileMatchAndErrors) {
  const std::string rules_json = R"({"s3": {"source": ["aws.s3"]}, "any": {"id": [{"exists": true}]}})";
  pareto_rules* rules = nullptr;
  ASSERT_EQ(pareto_rules_compile(&rules, rules_json.data(), rules_json.size()), PARETO_OK);
  EXPECT_STREQ(pareto_rules_errors(rules), "[]");
  char* names = nullptr;
  const std::string event = R"({"source": "aws.s3", "id": 1})";
  ASSERT_EQ(pareto_rules_match(rules, event.data(), event.size(), &names), PARETO_OK);
  EXPECT_STREQ(names, R"(["any","s3"])");
  pareto_free(names);
  EXPECT_EQ(pareto_rules_match(rules, "{oops", 5, &names), PARETO_EARG);
  EXPECT_EQ(names, nullptr);
  pareto_rules_free(rules);

  const std::string bad = R"({"r": {"source": "aws.s3"}})";
  ASSERT_EQ(pareto_rules_compile(&rules, bad.data(), bad.size()), PARETO_EINVALID);
  auto errors = nlohmann::json::parse(pareto_rules_errors(rules));
  EXPECT_EQ(errors[0]["path"], "/r/source");
  pareto_rules_free(rules);
  ASSERT_EQ(pareto_rules_compile(&rules, "not json", 8), PARETO_EINVALID);
  pareto_rules_free(rules);

  EXPECT_EQ(pareto_rules_compile(nullptr, "{}", 2), PARETO_EARG);
  EXPECT_EQ(pareto_rules_match(nullptr, "{}", 2, &names), PARETO_EARG);
  EXPECT_EQ(pareto_rules_errors(nullptr), nullptr);
  pareto_rules_free(nullptr);
}

TEST(CApi, PackagesTheCodeFoldersOfAnAppLoadedFromAPath) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "pareto-capi-package";
  fs::remove_all(dir);
  fs::create_directories(dir / "a" / "tests");
  std::ofstream(dir / "pareto.yaml") << "app: x\nactions: [{name: a}]\n";
  std::ofstream(dir / "a" / "index.py") << "def handler(event, context):\n    return 1\n";
  std::ofstream(dir / "a" / "tests" / "test_a.py") << "def test(): pass\n";
  std::ofstream(dir / "a" / ".env") << "SECRET=1\n";

  pareto_app* app = nullptr;
  ASSERT_EQ(pareto_app_load_path(&app, dir.string().c_str(), nullptr), PARETO_OK);
  char* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pareto_app_package(app, "a", nullptr, &data, &size), PARETO_OK);
  std::string zip(data, size);
  pareto_free(data);
  EXPECT_EQ(zip.rfind("PK\x03\x04", 0), 0u);
  EXPECT_NE(zip.find("index.py"), std::string::npos);
  EXPECT_EQ(zip.find("a/index.py"), std::string::npos);  // rooted at the handler's folder
  EXPECT_EQ(zip.find("test_a.py"), std::string::npos);  // tests and hidden files stay out
  EXPECT_EQ(zip.find(".env"), std::string::npos);
  ASSERT_EQ(pareto_app_package(app, "actions/a", nullptr, &data, &size), PARETO_OK);  // again
  EXPECT_EQ(std::string(data, size), zip);
  pareto_free(data);
  EXPECT_EQ(pareto_app_package(app, "a", nullptr, nullptr, &size), PARETO_EARG);
  EXPECT_EQ(pareto_app_package(app, "b", nullptr, &data, &size), PARETO_EARG);  // no such code
  pareto_app_free(app);

  const char text[] = "app: x\n";  // from text: no folder to package
  ASSERT_EQ(pareto_app_load(&app, text, sizeof text - 1, nullptr), PARETO_OK);
  EXPECT_EQ(pareto_app_package(app, "a", nullptr, &data, &size), PARETO_EARG);
  EXPECT_EQ(data, nullptr);
  pareto_app_free(app);
  fs::remove_all(dir);
}

}  // namespace
