// The registry (components/registry.cpp) against the kinds' folders: a folder whose kind is left
// out of the registry would be compiled and never rendered.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "components/kind.hpp"

namespace pareto {
namespace {
namespace fs = std::filesystem;

TEST(Registry, EveryKindFolderIsRegisteredOnceUnderItsSchemasKey) {
  size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(PARETO_SOURCE_DIR) / "libpareto" / "kinds")) {
    if (!fs::is_regular_file(entry.path() / "schema.json")) continue;
    ++folders;
    std::ifstream in(entry.path() / "schema.json");
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json schema = nlohmann::json::parse(text.str());
    for (const auto& [key, _] : schema.at("properties").items())
      EXPECT_NE(find_kind(key), nullptr) << entry.path().filename() << " defines " << key
                                         << ", which no kind in registry.cpp has";
  }
  EXPECT_EQ(kinds().size(), folders);
  std::set<std::string_view> suffixes;
  for (const Kind* kind : kinds()) {
    EXPECT_TRUE(suffixes.insert(kind->suffix).second) << kind->key << "'s suffix is taken";
    EXPECT_NE(kind->check, nullptr) << kind->key;
    EXPECT_NE(kind->render, nullptr) << kind->key;
  }
}

}  // namespace
}  // namespace pareto
