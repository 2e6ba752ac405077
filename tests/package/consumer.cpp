// Loads an app through the C++ API, statically linked, and checks it has errors or a template.
#include <pareto/pareto.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto app = pareto::App::from_path(argv[1]);
  if (!app.valid()) {
    std::cerr << app.errors() << "\n";
    return 1;
  }
  std::cout << pareto::version() << " " << app.name() << " " << app.synth().size() << "\n";
  auto broken = pareto::App::from_text("app: Bad_Name\n");
  return broken.valid() ? 1 : 0;
}
