// Names: the one place that turns config names into logical ids, variables and physical names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pareto {

// "hello-get" → "HelloGet"; logical ids are part of the contract.
std::string pascal_case(std::string_view hyphenated);

// The logical id of a component's resource: pascal_case("<name>-<suffix>").
std::string logical_id(std::string_view name, std::string_view suffix);

// "api-token" → "API_TOKEN"
std::string upper_snake(std::string_view hyphenated);

// The variable handler code reads for a component: ("users", "table") → "USERS_TABLE".
std::string variable_name(std::string_view name, std::string_view suffix);

// The config entry a pointer is in, its first two steps: "/queues/3/action" → "/queues/3".
std::string_view entry_pointer(std::string_view pointer);

// FNV-1a, 64 bits: a short, stable digest for names (not for security).
uint64_t fnv1a(std::string_view text);

// A JSON pointer segment, escaped (RFC 6901).
std::string pointer_escape(std::string_view segment);

// The closest candidate to `word` by edit distance, or "" when none is close enough.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// "a, b and c"
std::string join_names(const std::vector<std::string>& names, std::string_view last = " or ");

}  // namespace pareto
