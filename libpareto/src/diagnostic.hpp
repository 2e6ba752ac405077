// The user's mistakes, as data: every stage appends Diagnostics, nothing throws past a stage.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pareto {

// Check ids are part of the contract (tests assert them, users search for them); never reuse one.
namespace check {
inline constexpr std::string_view kSyntax = "E1001";          // YAML/JSON does not parse
inline constexpr std::string_view kDuplicateKey = "E1002";    // a mapping repeats a key
inline constexpr std::string_view kInputLimit = "E1003";      // too large, deep or long
inline constexpr std::string_view kNotAnObject = "E1004";     // top level is not a mapping
inline constexpr std::string_view kHandlerMissing = "E1005";  // handler file not found
inline constexpr std::string_view kRefusedFile = "E1006";     // a link out of the app, a key
inline constexpr std::string_view kDependencies = "E1007";    // a manifest that cannot install
inline constexpr std::string_view kArchivePath = "E1008";     // two files on one archive path
inline constexpr std::string_view kType = "E2001";            // wrong JSON type
inline constexpr std::string_view kEnum = "E2002";            // not one of the allowed values
inline constexpr std::string_view kUnknownKey = "E2003";      // key the schema does not know
inline constexpr std::string_view kRequired = "E2004";        // required key missing
inline constexpr std::string_view kPattern = "E2005";         // string of the wrong form
inline constexpr std::string_view kRange = "E2006";           // number, length or count bounds
inline constexpr std::string_view kSchema = "E2099";          // any other schema violation
inline constexpr std::string_view kUnknownRef = "E3001";      // reference to nothing declared
inline constexpr std::string_view kDuplicateName = "E3002";   // two components, one name
inline constexpr std::string_view kIdCollision = "E3003";     // two logical ids collide
inline constexpr std::string_view kBoundTwice = "E3004";      // action has two triggers
inline constexpr std::string_view kPermission = "E3005";      // not service:Action, or no scope short of every resource
inline constexpr std::string_view kNameLength = "E3006";      // physical name over AWS limit
inline constexpr std::string_view kVariable = "E3007";        // NAME_KIND names no component
inline constexpr std::string_view kCombination = "E3008";     // keys that exclude each other
inline constexpr std::string_view kParameter = "E3009";       // unknown template parameter
inline constexpr std::string_view kKindReported = "E3010";    // a custom kind's renderer objects
inline constexpr std::string_view kKindRenderer = "E3011";    // a renderer failed or replied wrong
inline constexpr std::string_view kKindDefinition = "E3012";  // a custom kind's definition
inline constexpr std::string_view kUnresolved = "E4001";      // Ref/GetAtt/Sub to nothing
inline constexpr std::string_view kCycle = "E4002";           // resources depend in a cycle
inline constexpr std::string_view kQuota = "E4003";           // template over a CFN quota
inline constexpr std::string_view kLogicalId = "E4004";       // logical id not alphanumeric
inline constexpr std::string_view kPolicySize = "E4005";      // role policies over IAM limits
inline constexpr std::string_view kResourcePolicy = "E4006";  // function policy over 20 KB
inline constexpr std::string_view kRuleTargets = "E4007";     // more than 5 targets on a rule
inline constexpr std::string_view kEventPattern = "E5001";    // EventBridge would reject it
}  // namespace check

struct Diagnostic {
  std::string path;  // JSON pointer into the app description
  std::string message;
  std::string check;
  int line = 0;  // 1-based position in the source text; 0 when unknown
  int column = 0;
  bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

inline void report(Diagnostics& out, std::string path, std::string_view check_id,
                   std::string message) {
  out.push_back({std::move(path), std::move(message), std::string(check_id)});
}

}  // namespace pareto
