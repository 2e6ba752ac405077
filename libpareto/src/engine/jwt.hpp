// JSON Web Tokens as Cognito issues them (RS256, keys by "kid" in the pool's JWKS): what an API
// Gateway Cognito authorizer checks before the claims reach the handler.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pareto::engine {

struct Jwt {
  nlohmann::json header, claims;
  std::string signed_part;  // "<header>.<claims>" as sent: what the signature covers
  std::string signature;    // its bytes
};

// nullopt when the text is not three base64url parts whose first two are JSON objects.
std::optional<Jwt> parsed_jwt(std::string_view token);

// Whether the token is signed with RS256 by the key of the set ({"keys": [...]}) its header's
// "kid" names.
bool signed_by(const Jwt& token, const nlohmann::json& jwks);

}  // namespace pareto::engine
