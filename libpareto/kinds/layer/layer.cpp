// layers: a Lambda layer built elsewhere, passed in as a versioned ARN parameter.
#include "components/kind.hpp"

namespace pareto {
using nlohmann::json;

namespace {

void validate(Checker&, const Component&) {}

void render(Renderer& r, const Component& layer) {
  r.parameter(layer.id("layer-arn"),
              {{"Type", "String"},
               {"Description", "The versioned ARN of layer " + layer.name},
               {"AllowedPattern", "^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$"}},
              layer.pointer);
}

}  // namespace

extern const Kind kLayerKind{.key = "layers", .noun = "layer", .suffix = "layer",
                             .check = validate, .render = render};

}  // namespace pareto
