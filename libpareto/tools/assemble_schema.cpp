// Builds the config schema from its parts at build time: the app's own keys
// (schema/app.schema.json), then each kind folder's schema.json, whose "properties" and "$defs"
// join the app's in the order given. A key two parts both define is an error.
//   assemble_schema OUT APP_SCHEMA KIND_SCHEMA...
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {
using nlohmann::ordered_json;

ordered_json read(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return ordered_json::parse(text.str());
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: assemble_schema OUT APP_SCHEMA KIND_SCHEMA...\n";
    return 2;
  }
  try {
    ordered_json schema = read(argv[2]);
    for (int i = 3; i < argc; ++i) {
      ordered_json part = read(argv[i]);
      for (const char* section : {"properties", "$defs"})
        for (auto& [key, value] : part[section].items()) {
          if (schema[section].contains(key)) {
            std::cerr << argv[i] << ": " << section << "/" << key << " is defined already\n";
            return 1;
          }
          schema[section][key] = std::move(value);
        }
    }
    std::ofstream(argv[1], std::ios::binary) << schema.dump(2) << '\n';
  } catch (const std::exception& e) {
    std::cerr << "assemble_schema: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
