// The one table of component kinds. A new kind is a folder, libpareto/kinds/<kind>/, and its
// name here: declared, and placed in the render order.
#include <array>

#include "components/kind.hpp"

namespace pareto {

// Each defined in its folder: libpareto/kinds/<kind>/<kind>.cpp.
extern const Kind kLayerKind, kSecretKind, kUserpoolKind, kBucketKind, kTableKind, kTopicKind,
    kQueueKind, kTimerKind, kBuilderKind, kApiKind, kGraphqlKind, kActionKind;

namespace {
// Render order: what others refer to first; actions last, once every grant is known.
constexpr std::array kKinds{&kLayerKind, &kSecretKind, &kUserpoolKind,
                                             &kBucketKind, &kTableKind, &kTopicKind,
                                             &kQueueKind, &kTimerKind, &kBuilderKind, &kApiKind,
                                             &kGraphqlKind, &kActionKind};
}  // namespace

std::span<const Kind* const> kinds() { return kKinds; }

const Kind* find_kind(std::string_view key) {
  for (const Kind* kind : kKinds)
    if (kind->key == key) return kind;
  return nullptr;
}

const Kind* find_kind_by_suffix(std::string_view suffix) {
  for (const Kind* kind : kinds())
    if (kind->suffix == suffix) return kind;
  return nullptr;
}

}  // namespace pareto
