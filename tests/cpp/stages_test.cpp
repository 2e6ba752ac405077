// Stages and overrides beyond the vectors: a chosen stage's errors found after the schema (the
// checks, the template's parameters) are at the stage's own lines, a stage the app does not set
// changes nothing, and the C API carries the stage.
#include <gtest/gtest.h>

#include "app.hpp"
#include "pareto/pareto.h"
#include "support.hpp"

namespace pareto {
namespace {
using nlohmann::json;
using testing_support::error_list;
using testing_support::resources;

constexpr std::string_view kApp = R"(app: shop
actions:
  - name: api
    size: medium
tables:
  - name: orders
stages:
  prod:
    parameters:
      log-retention-days: 366
    actions:
      api: {memory: 2048}
  dev:
    retain: false
    actions:
      api: {size: large}
)";

Synthesis staged(std::string_view yaml, std::optional<std::string> stage) {
  return synthesize(yaml, {.source_name = "pareto.yaml", .base_dir = std::nullopt, .stage = stage});
}

TEST(Stages, TheChosenStagesLaterErrorsAreAtItsLines) {
  Synthesis prod = staged(kApp, "prod");
  EXPECT_EQ(error_list(prod), (std::vector<std::string>{"/stages/prod/actions/api/memory [E3008]"}));
  ASSERT_EQ(prod.errors.size(), 1u);
  EXPECT_EQ(prod.errors[0].line, 12);
  // Past the checks: the template's parameters, which only finalize knows.
  std::string fixed(kApp);
  fixed.replace(fixed.find("api: {memory: 2048}"), 19, "api: {size: null, memory: 2048}");
  prod = staged(fixed, "prod");
  EXPECT_EQ(error_list(prod),
            (std::vector<std::string>{"/stages/prod/parameters/log-retention-days [E3009]"}));
}

TEST(Stages, OwnSettingsAndUnsetStagesAreTheSame) {
  Synthesis own = staged(kApp, std::nullopt), qa = staged(kApp, "qa"), dev = staged(kApp, "dev");
  ASSERT_TRUE(own.ok()) << own.errors_json("pareto.yaml").dump(2);
  ASSERT_TRUE(dev.ok()) << dev.errors_json("pareto.yaml").dump(2);
  EXPECT_EQ(own.template_json, qa.template_json);
  json table = resources(own)["OrdersTable"], dev_table = resources(dev)["OrdersTable"];
  EXPECT_EQ(table["DeletionPolicy"], "Retain");
  EXPECT_FALSE(dev_table.contains("DeletionPolicy"));
  EXPECT_EQ(resources(dev)["ApiFunction"]["Properties"]["MemorySize"], json({{"Ref", "MemorySizeLarge"}}));
}

TEST(Stages, AStageCanRemoveASettingAndAddAComponentsOptions) {
  Synthesis prod = staged(R"(app: shop
dashboard: true
actions:
  - name: api
    concurrency: 5
stages:
  prod:
    dashboard: {period: 60}
    actions:
      api: {concurrency: null}
)", "prod");
  ASSERT_TRUE(prod.ok()) << prod.errors_json("pareto.yaml").dump(2);
  EXPECT_FALSE(resources(prod)["ApiFunction"]["Properties"].contains("ReservedConcurrentExecutions"));
  EXPECT_NE(prod.template_json.find("\\\"period\\\":60"), std::string::npos);  // in DashboardBody
}

TEST(Overrides, AStagesOverrideIsCheckedAtItsPath) {
  Synthesis prod = staged(R"(app: shop
actions:
  - name: api
stages:
  prod:
    overrides:
      ApiFunctio:
        Properties: {Description: x}
)", "prod");
  EXPECT_EQ(error_list(prod), (std::vector<std::string>{"/stages/prod/overrides/ApiFunctio [E4001]"}));
  EXPECT_NE(prod.errors[0].message.find("did you mean \"ApiFunction\""), std::string::npos);
}

TEST(Stages, TheCApiLoadsAStageAndSaysWhich) {
  std::string text(kApp);
  text.replace(text.find("log-retention-days: 366"), 23, "log-retention-days: 365");
  text.replace(text.find("api: {memory: 2048}"), 19, "api: {size: large}");
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.stage = "prod";
  pareto_app* app = nullptr;
  ASSERT_EQ(pareto_app_load(&app, text.data(), text.size(), &options), PARETO_OK) << pareto_app_errors(app);
  EXPECT_STREQ(pareto_app_stage(app), "prod");
  pareto_app_free(app);
  options.version = 2;  // before stages: the field is not read
  ASSERT_EQ(pareto_app_load(&app, text.data(), text.size(), &options), PARETO_OK);
  EXPECT_EQ(pareto_app_stage(app), nullptr);
  pareto_app_free(app);
}

}  // namespace
}  // namespace pareto
