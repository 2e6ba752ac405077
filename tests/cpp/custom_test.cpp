// Custom component kinds: definitions checked, entries validated against their schema and their
// references like built-in ones, renderers' replies checked, and every error naming the kind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "pareto/pareto.h"
#include "pareto/pareto.hpp"

namespace examples {
void add_stream_kind(pareto::Kinds& kinds, const std::string& definition_file);
}

namespace {
using nlohmann::json;

// A small kind: a counter is an SSM parameter; "owner" names the action that may write it.
const json kCounter = {
    {"key", "counters"},
    {"references", {{"owner", "actions"}}},
    {"variable", true},
    {"schema",
     {{"type", "object"},
      {"additionalProperties", false},
      {"properties", {{"owner", {{"type", "string"}}}, {"start", {{"type", "integer"}, {"minimum", 0}, {"default", 0}}}}}}}};

json reply_for(const json& request) {
  std::string id = request["id"];
  json reply = {{"resources",
                 {{id,
                   {{"Type", "AWS::SSM::Parameter"},
                    {"Properties",
                     {{"Name", request["physical_name"]},
                      {"Type", "String"},
                      {"Value", std::to_string(request["entry"]["start"].get<int>())}}}}}}},
                {"outputs", {{id + "Name", {{"Value", {{"Ref", id}}}}}}}};
  for (const auto& owner : request["references"]["owner"])
    reply["grants"].push_back(
        {{"action", owner["name"]},
         {"actions", {"ssm:PutParameter"}},
         {"resources", {{{"Fn::Sub", "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${" + id + "}"}}}}});
  return reply;
}

pareto::Kinds counters(pareto::Kinds::Render render = [](const std::string& request) {
  return reply_for(json::parse(request)).dump();
}) {
  pareto::Kinds kinds;
  kinds.add(kCounter.dump(), std::move(render));
  return kinds;
}

json errors_of(const std::string& text, const pareto::Kinds& kinds) {
  return json::parse(pareto::App::from_text(text, "pareto.yaml", "", &kinds).errors());
}

const std::string kApp =
    "app: shop\nactions: [{name: bump}]\ncounters:\n  - {name: visits, owner: bump, start: 5}\n";

TEST(Custom, RendersResourcesOutputsGrantsAndVariables) {
  pareto::Kinds kinds = counters();
  auto app = pareto::App::from_text(kApp, "pareto.yaml", "", &kinds);
  ASSERT_TRUE(app.valid()) << app.errors();
  json t = json::parse(app.synth());
  EXPECT_EQ(t["Resources"]["VisitsCounter"]["Type"], "AWS::SSM::Parameter");
  EXPECT_EQ(t["Resources"]["VisitsCounter"]["Properties"]["Value"], "5");
  EXPECT_EQ(t["Resources"]["VisitsCounter"]["Properties"]["Name"]["Fn::Sub"], "shop-${StageName}-visits");
  EXPECT_EQ(t["Outputs"]["VisitsCounterName"]["Description"], "counter visits");
  std::string role = t["Resources"]["BumpFunctionRole"].dump();
  EXPECT_NE(role.find("ssm:PutParameter"), std::string::npos);
  EXPECT_NE(role.find("/counters/0"), std::string::npos);  // why the role has it
  // Without the kind, the key is unknown, as any other.
  auto plain = json::parse(pareto::App::from_text(kApp).errors());
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0]["path"], "/counters");
  EXPECT_EQ(plain[0]["check"], "E2003");
}

TEST(Custom, HandlersReadTheKindsVariable) {
  pareto::Kinds kinds = counters();
  std::string dir = testing::TempDir() + "custom-variable";
  std::filesystem::create_directories(dir + "/bump");
  std::ofstream(dir + "/bump/index.py") << "import os\nNAME = os.environ['VISITS_COUNTER']\n";
  std::ofstream(dir + "/pareto.yaml") << kApp;
  auto app = pareto::App::from_path(dir, &kinds);
  ASSERT_TRUE(app.valid()) << app.errors();
  json t = json::parse(app.synth());
  EXPECT_EQ(t["Resources"]["BumpFunction"]["Properties"]["Environment"]["Variables"]["VISITS_COUNTER"],
            json({{"Ref", "VisitsCounter"}}));
}

TEST(Custom, EntriesAreCheckedLikeBuiltIns) {
  pareto::Kinds kinds = counters();
  json errors = errors_of(
      "app: shop\nactions: [{name: bump}]\ncounters:\n  - {name: visits, owner: bmp, start: -1}\n"
      "  - {name: Bad, colour: red}\n  - {name: visits}\n",
      kinds);
  std::map<std::string, std::string> found;
  for (const auto& e : errors) found[e["path"]] = e["check"].get<std::string>() + " " + e["message"].get<std::string>();
  EXPECT_EQ(found["/counters/0/start"], "E2006 -1 is at least 0");
  EXPECT_EQ(found["/counters/1/name"].substr(0, 5), "E2005");
  EXPECT_EQ(found["/counters/1/colour"].substr(0, 5), "E2003");
  for (const auto& e : errors) EXPECT_GT(e["line"].get<int>(), 0) << e;
  // Schema errors stop the load before references are checked; then a bad reference and a
  // duplicate name are reported as for any kind.
  errors = errors_of(
      "app: shop\nactions: [{name: bump}]\ncounters:\n  - {name: visits, owner: bmp}\n  - {name: visits}\n",
      kinds);
  ASSERT_EQ(errors.size(), 2u) << errors;
  EXPECT_EQ(errors[0]["path"], "/counters/0/owner");
  EXPECT_EQ(errors[0]["message"], "no action is named \"bmp\"; did you mean \"bump\"?");
  EXPECT_EQ(errors[1]["path"], "/counters/1/name");
  EXPECT_EQ(errors[1]["message"], "counter \"visits\" is already declared at /counters/0");
  // Not a list at all.
  errors = errors_of("app: shop\ncounters: {name: visits}\n", kinds);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["path"], "/counters");
  EXPECT_EQ(errors[0]["check"], "E2001");
}

// What only a renderer can make, the template's checks still catch, at the kind's entry: a
// logical id CloudFormation refuses (E4004), and more invoke permissions on one function than
// its resource policy holds (E4006).
TEST(Custom, TheTemplatesChecksHoldForWhatARendererMakes) {
  auto dashed = counters([](const std::string& request) {
    json reply = reply_for(json::parse(request));
    reply["resources"]["Visits-Counter"] = reply["resources"]["VisitsCounter"];
    return reply.dump();
  });
  json errors = errors_of(kApp, dashed);
  ASSERT_EQ(errors.size(), 1u) << errors.dump(2);
  EXPECT_EQ(errors[0]["check"], "E4004");
  EXPECT_EQ(errors[0]["path"], "/counters/0");
  auto invoking = counters([](const std::string& request) {
    json reply = reply_for(json::parse(request));
    for (int i = 0; i < 60; ++i)
      reply["resources"]["VisitsInvoke" + std::to_string(i)] = {
          {"Type", "AWS::Lambda::Permission"},
          {"Properties", {{"Action", "lambda:InvokeFunction"},
                          {"FunctionName", {{"Ref", "BumpFunction"}}},
                          {"Principal", "events.amazonaws.com"}}}};
    return reply.dump();
  });
  errors = errors_of(kApp, invoking);
  ASSERT_EQ(errors.size(), 1u) << errors.dump(2);
  EXPECT_EQ(errors[0]["check"], "E4006");
  EXPECT_EQ(errors[0]["path"], "/actions/0");
}

TEST(Custom, RendererFailuresNameTheKindAndComponent) {
  auto failing = counters([](const std::string&) -> std::string { throw std::runtime_error("no quota left"); });
  json errors = errors_of(kApp, failing);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["path"], "/counters/0");
  EXPECT_EQ(errors[0]["check"], "E3011");
  EXPECT_EQ(errors[0]["message"], "counter \"visits\" (custom kind \"counters\"): the renderer failed: no quota left");

  auto odd = counters([](const std::string&) -> std::string { throw 7; });
  errors = errors_of(kApp, odd);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["message"], "counter \"visits\" (custom kind \"counters\"): the renderer failed: an exception that is not a std::exception");

  auto garbage = counters([](const std::string&) { return std::string("{not json"); });
  errors = errors_of(kApp, garbage);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["message"], "counter \"visits\" (custom kind \"counters\"): the renderer's reply: the reply is not JSON");

  auto misshapen = counters([](const std::string&) {
    return json({{"resources", {{"X", {{"Properties", {}}}}}}, {"grants", {{{"action", "bump"}, {"actions", {"ssm put"}}}}}, {"extra", 1}}).dump();
  });
  errors = errors_of(kApp, misshapen);
  std::set<std::string> messages;
  for (const auto& e : errors) messages.insert(e["message"]);
  EXPECT_TRUE(messages.count("counter \"visits\" (custom kind \"counters\"): the renderer's reply at /resources/X: missing required key \"Type\"")) << errors;
  EXPECT_TRUE(messages.count("counter \"visits\" (custom kind \"counters\"): the renderer's reply at /grants/0/actions/0: \"ssm put\" is not a permission like \"kinesis:PutRecord\"")) << errors;
  EXPECT_TRUE(messages.count("counter \"visits\" (custom kind \"counters\"): the renderer's reply at /extra: unknown key \"extra\"; expected one of errors, grants, outputs or resources")) << errors;

  // Grants only to the actions the entry names; references only to what the template defines.
  auto overreaching = counters([](const std::string& request) {
    json reply = reply_for(json::parse(request));
    reply["grants"].push_back({{"action", "other"}, {"actions", {"ssm:DeleteParameter"}}});
    reply["resources"]["VisitsCounter"]["Properties"]["Value"] = {{"Ref", "Nowhere"}};
    return reply.dump();
  });
  errors = errors_of("app: shop\nactions: [{name: bump}, {name: other}]\ncounters:\n  - {name: visits, owner: bump}\n", overreaching);
  ASSERT_EQ(errors.size(), 1u) << errors;  // a failed render stops before references are checked
  EXPECT_EQ(errors[0]["message"], "counter \"visits\" (custom kind \"counters\"): the renderer grants permissions to action \"other\", which the entry does not name in a field referencing actions");
  auto dangling = counters([](const std::string& request) {
    json reply = reply_for(json::parse(request));
    reply["resources"]["VisitsCounter"]["Properties"]["Value"] = {{"Ref", "Nowhere"}};
    reply["resources"]["BumpFunction"] = {{"Type", "AWS::SNS::Topic"}};
    return reply.dump();
  });
  errors = errors_of(kApp, dangling);
  ASSERT_EQ(errors.size(), 1u) << errors;
  EXPECT_EQ(errors[0]["check"], "E3003");  // BumpFunction is the action's
  EXPECT_EQ(errors[0]["path"], "/actions/0");
  EXPECT_EQ(errors[0]["message"], "the logical id BumpFunction is already made for /counters/0; rename one of them");
  auto unresolved = counters([](const std::string& request) {
    json reply = reply_for(json::parse(request));
    reply["resources"]["VisitsCounter"]["Properties"]["Value"] = {{"Ref", "Nowhere"}};
    return reply.dump();
  });
  errors = errors_of(kApp, unresolved);
  ASSERT_EQ(errors.size(), 1u) << errors;
  EXPECT_EQ(errors[0]["check"], "E4001");
  EXPECT_EQ(errors[0]["path"], "/counters/0");
  EXPECT_EQ(errors[0]["message"], "VisitsCounter refers to Nowhere, which the template does not define");
}

TEST(Custom, PhysicalNamesAreMeasuredAgainstTheKindsLimit) {
  json definition = kCounter;
  definition["name_limit"] = 30;
  pareto::Kinds kinds;
  kinds.add(definition.dump(), [](const std::string& request) { return reply_for(json::parse(request)).dump(); });
  auto app = pareto::App::from_text(kApp, "pareto.yaml", "", &kinds);
  ASSERT_TRUE(app.valid()) << app.errors();
  EXPECT_NE(app.budget("text").find("counter name length"), std::string::npos);
  json errors = errors_of("app: shop\ncounters: [{name: a-very-long-counter-name}]\n", kinds);
  ASSERT_EQ(errors.size(), 1u) << errors;
  EXPECT_EQ(errors[0]["check"], "E3006");
  EXPECT_EQ(errors[0]["path"], "/counters/0/name");
}

TEST(Custom, ResourcesGoThroughTheStackQuotas) {
  // 400 streams, each read by the next one's writer: one cycle of references, past one stack.
  pareto::Kinds kinds;
  examples::add_stream_kind(kinds, PARETO_SOURCE_DIR "/examples/streams/kinds/stream.json");
  std::string text = "app: ring\nactions:\n";
  for (int i = 0; i < 400; ++i) text += "  - {name: w" + std::to_string(i) + "}\n";
  text += "streams:\n";
  for (int i = 0; i < 400; ++i)
    text += "  - {name: s" + std::to_string(i) + ", writers: [w" + std::to_string(i) +
            "], readers: [w" + std::to_string((i + 1) % 400) + "]}\n";
  json errors = errors_of(text, kinds);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["check"], "E4003");
  std::string message = errors[0]["message"];
  EXPECT_EQ(message.rfind("/streams/0, ", 0), 0u) << message;
  EXPECT_NE(message.find(" and 792 more components reference each other and would make 2000 resources"),
            std::string::npos) << message;
  // Without the cycle, the same streams split into nested stacks.
  std::string acyclic = text;
  for (int i = 0; i < 400; ++i) {
    std::string from = "readers: [w" + std::to_string((i + 1) % 400) + "]";
    acyclic.replace(acyclic.find(from), from.size(), "readers: []");
  }
  auto app = pareto::App::from_text(acyclic, "pareto.yaml", "", &kinds);
  ASSERT_TRUE(app.valid()) << app.errors();
  EXPECT_GT(json::parse(app.nested_stacks()).size(), 1u);
}

TEST(Custom, RenderersReportTheirOwnErrorsAtTheirPaths) {
  auto picky = counters([](const std::string&) {
    return json({{"errors", {{{"path", "/start"}, {"message", "counters start at 1"}}, {{"message", "and one more"}}}}}).dump();
  });
  json errors = errors_of(kApp, picky);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1]["path"], "/counters/0/start");
  EXPECT_EQ(errors[1]["line"], 4);
  EXPECT_EQ(errors[1]["check"], "E3010");
  EXPECT_EQ(errors[1]["message"], "counter \"visits\" (custom kind \"counters\"): counters start at 1");
  EXPECT_EQ(errors[0]["path"], "/counters/0");
  EXPECT_EQ(errors[0]["message"], "counter \"visits\" (custom kind \"counters\"): and one more");
}

TEST(Custom, DefinitionsAreChecked) {
  auto problems = [](json definition) {
    pareto::Kinds kinds;
    try {
      kinds.add(definition.dump(), [](const std::string&) { return std::string("{}"); });
    } catch (const pareto::Error& e) {
      EXPECT_EQ(e.status(), PARETO_EINVALID);
      return json::parse(e.what());
    }
    return json::array();
  };
  EXPECT_EQ(problems(kCounter), json::array());
  auto with = [](const char* key, json value) {
    json d = kCounter;
    d[key] = std::move(value);
    return d;
  };
  EXPECT_EQ(problems(with("key", "Counters"))[0]["path"], "/key");
  EXPECT_EQ(problems(with("key", "tables"))[0]["message"], "\"tables\" is a key of pareto.yaml already: choose another");
  EXPECT_EQ(problems(with("key", "kinds"))[0]["path"], "/key");
  EXPECT_EQ(problems(with("suffix", "table"))[0]["message"],
            "the suffix \"table\" is the table kind's: logical ids and variables would collide; give the kind another \"suffix\"");
  EXPECT_EQ(problems(with("references", {{"owner", "robots"}}))[0]["message"], "no kind \"robots\" is registered before this one");
  EXPECT_EQ(problems(with("schema", {{"type", "string"}}))[0]["path"], "/schema/type");
  EXPECT_EQ(problems(with("schema", {{"type", "object"}, {"properties", {{"x", {{"type", 7}}}}}}))[0]["path"], "/schema");
  EXPECT_EQ(problems(with("extra", 1))[0]["check"], "E2003");
  json no_schema = kCounter;
  no_schema.erase("schema");
  EXPECT_EQ(problems(no_schema)[0]["message"], "missing required key \"schema\"");
  // Twice the same key on one handle.
  pareto::Kinds kinds = counters();
  EXPECT_THROW(kinds.add(kCounter.dump(), [](const std::string&) { return std::string(); }), pareto::Error);
  EXPECT_EQ(json::parse(kinds.errors())[0]["message"], "a kind \"counters\" is registered already");
}

struct Released {
  int calls = 0;
};

TEST(Custom, CApiReleasesUserDataOnceWhateverHappens) {
  Released released;
  auto release = [](void* user) { ++static_cast<Released*>(user)->calls; };
  auto render = [](void*, const char*, size_t, pareto_reply* reply) -> pareto_status {
    const char* text = "{}";
    return pareto_reply_set(reply, text, 2);
  };
  pareto_kinds* kinds = nullptr;
  ASSERT_EQ(pareto_kinds_new(&kinds), PARETO_OK);
  std::string definition = kCounter.dump();
  ASSERT_EQ(pareto_kinds_add(kinds, definition.data(), definition.size(), render, &released, release), PARETO_OK);
  EXPECT_EQ(released.calls, 0);
  EXPECT_EQ(pareto_kinds_add(kinds, "{", 1, render, &released, release), PARETO_EINVALID);
  EXPECT_EQ(released.calls, 1);  // not added: released at once
  EXPECT_EQ(json::parse(pareto_kinds_errors(kinds))[0]["message"], "the definition is not JSON");
  EXPECT_EQ(pareto_kinds_add(kinds, definition.data(), definition.size(), nullptr, &released, release), PARETO_EARG);
  EXPECT_EQ(released.calls, 2);
  EXPECT_EQ(pareto_kinds_add(nullptr, definition.data(), definition.size(), render, &released, release), PARETO_EARG);
  EXPECT_EQ(released.calls, 3);
  EXPECT_EQ(pareto_reply_set(nullptr, "x", 1), PARETO_EARG);

  // An empty reply renders nothing: the app loads, with no counter resource.
  pareto_load_options options = PARETO_LOAD_OPTIONS_INIT;
  options.kinds = kinds;
  pareto_app* app = nullptr;
  ASSERT_EQ(pareto_app_load(&app, kApp.data(), kApp.size(), &options), PARETO_OK) << pareto_app_errors(app);
  pareto_kinds_free(kinds);
  EXPECT_EQ(released.calls, 4);
  char* modules = nullptr;
  ASSERT_EQ(pareto_app_kind_modules(app, &modules), PARETO_OK);  // the app outlives the kinds
  EXPECT_STREQ(modules, "[]");
  pareto_free(modules);
  pareto_app_free(app);

  // Version 1 options carry no kinds, and still load.
  pareto_load_options v1 = {1, "old.yaml", nullptr, nullptr, nullptr};
  ASSERT_EQ(pareto_app_load(&app, kApp.data(), kApp.size(), &v1), PARETO_EINVALID);
  EXPECT_EQ(json::parse(pareto_app_errors(app))[0]["file"], "old.yaml");
  pareto_app_free(app);
}

TEST(Custom, KindModulesAreListedEvenWhenTheAppHasErrors) {
  auto app = pareto::App::from_text("app: shop\nkinds: [kinds/stream, lib/other]\nstreams: []\n");
  EXPECT_FALSE(app.valid());
  EXPECT_EQ(json::parse(app.kind_modules()), json({"kinds/stream", "lib/other"}));
  auto bad = json::parse(pareto::App::from_text("app: shop\nkinds: [../up]\n").errors());
  EXPECT_EQ(bad[0]["path"], "/kinds/0");
}

}  // namespace
