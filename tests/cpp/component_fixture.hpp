// The fixture of the kinds' tests (libpareto/kinds/<kind>/<kind>_test.cpp): an app folder in a
// scratch directory, pareto.yaml plus a handler per action, synthesized.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support.hpp"

namespace pareto::testing_support {
using nlohmann::json;
namespace fs = std::filesystem;

class Component : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pareto-components-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void handler(const std::string& action, const std::string& code) {
    std::filesystem::create_directories(dir_ / action);
    std::ofstream(dir_ / action / "index.py") << code;
  }

  nlohmann::json synth(const std::string& yaml) {
    result_ = synthesize(yaml, {.source_name = "pareto.yaml", .base_dir = dir_});
    EXPECT_TRUE(result_.ok()) << result_.errors_json("pareto.yaml").dump(2);
    return result_.ok() ? nlohmann::json::parse(result_.template_json) : nlohmann::json::object();
  }

  // The statements of an action's role, by Sid.
  static nlohmann::json statements(const nlohmann::json& t, const std::string& role) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& policy : t["Resources"][role]["Properties"]["Policies"])
      for (const auto& s : policy["PolicyDocument"]["Statement"]) out[s["Sid"].get<std::string>()] = s;
    return out;
  }

  std::filesystem::path dir_;
  Synthesis result_;
};

}  // namespace pareto::testing_support
