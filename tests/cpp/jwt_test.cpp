// RS256 verification (engine/jwt.cpp, Mbed TLS) against moto's Cognito key and a token it signed.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/jwt.hpp"
#include "support.hpp"

namespace pareto::engine {
namespace {

nlohmann::json fixture() {
  std::ifstream file(testing_support::kSourceDir / "tests/cpp/data/cognito_jwt.json");
  return nlohmann::json::parse(file);
}

Jwt token() { return parsed_jwt(fixture()["token"].get<std::string>()).value(); }

TEST(JwtTest, ATokenSignedByTheKeyItNamesIsAccepted) {
  EXPECT_TRUE(signed_by(token(), fixture()["jwks"]));
}

TEST(JwtTest, AChangedClaimOrSignatureIsRefused) {
  Jwt changed = token();
  changed.signed_part.back() ^= 1;
  EXPECT_FALSE(signed_by(changed, fixture()["jwks"]));
  Jwt forged = token();
  forged.signature[forged.signature.size() / 2] ^= 1;
  EXPECT_FALSE(signed_by(forged, fixture()["jwks"]));
}

TEST(JwtTest, ASignatureNotTheModulusLengthIsRefusedWithoutReadingPastIt) {
  Jwt cut = token();
  cut.signature.pop_back();
  EXPECT_FALSE(signed_by(cut, fixture()["jwks"]));
  Jwt empty = token();
  empty.signature.clear();
  EXPECT_FALSE(signed_by(empty, fixture()["jwks"]));
}

TEST(JwtTest, AnotherKeyIdOrAlgorithmOrABadKeyIsRefused) {
  nlohmann::json jwks = fixture()["jwks"];
  Jwt other = token();
  other.header["kid"] = "another";
  EXPECT_FALSE(signed_by(other, jwks));
  Jwt hs256 = token();
  hs256.header["alg"] = "HS256";
  EXPECT_FALSE(signed_by(hs256, jwks));
  nlohmann::json even = jwks;
  even["keys"][0]["n"] = "AAAA";  // a modulus of zero bits: not a key
  EXPECT_FALSE(signed_by(token(), even));
  nlohmann::json garbled = jwks;
  garbled["keys"][0]["e"] = "!!";
  EXPECT_FALSE(signed_by(token(), garbled));
}

}  // namespace
}  // namespace pareto::engine
