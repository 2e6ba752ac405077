#include "engine/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <stdexcept>

#include "engine/base64.hpp"

namespace pareto::engine {

namespace {
using json = nlohmann::json;

template <auto free_function>
struct Freeing {
  template <typename T>
  void operator()(T* pointer) const { free_function(pointer); }
};
using Number = std::unique_ptr<BIGNUM, Freeing<BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Freeing<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Freeing<OSSL_PARAM_free>>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, Freeing<EVP_PKEY_CTX_free>>;
using Key = std::unique_ptr<EVP_PKEY, Freeing<EVP_PKEY_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Freeing<EVP_MD_CTX_free>>;

// RFC 7515's base64url: '-' and '_' for '+' and '/', without padding.
std::string base64url_decode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) c = c == '-' ? '+' : c == '_' ? '/' : c;
  return base64_decode(standard);
}

Number number_of(const std::string& big_endian) {
  return Number(BN_bin2bn(reinterpret_cast<const unsigned char*>(big_endian.data()),
                          static_cast<int>(big_endian.size()), nullptr));
}

Key rsa_key(const std::string& modulus, const std::string& exponent) {
  Number n = number_of(modulus), e = number_of(exponent);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!n || !e || !builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
    return nullptr;
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  KeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  return Key(key);
}
}  // namespace

std::optional<Jwt> parsed_jwt(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  try {
    Jwt jwt{json::parse(base64url_decode(token.substr(0, first))),
            json::parse(base64url_decode(token.substr(first + 1, second - first - 1))),
            std::string(token.substr(0, second)), base64url_decode(token.substr(second + 1))};
    if (!jwt.header.is_object() || !jwt.claims.is_object()) return std::nullopt;
    return jwt;
  } catch (const std::exception&) {  // not base64url, or not JSON
    return std::nullopt;
  }
}

bool signed_by(const Jwt& token, const json& jwks) {
  if (token.header.value("alg", json()) != "RS256" || !jwks.is_object()) return false;
  for (const auto& jwk : jwks.value("keys", json::array())) {
    if (!jwk.is_object() || jwk.value("kid", json()) != token.header.value("kid", json()) ||
        jwk.value("kty", json()) != "RSA" || !jwk.value("n", json()).is_string() || !jwk.value("e", json()).is_string())
      continue;
    try {
      Key key = rsa_key(base64url_decode(jwk["n"].get<std::string>()), base64url_decode(jwk["e"].get<std::string>()));
      DigestContext digest(EVP_MD_CTX_new());
      if (!key || !digest || EVP_DigestVerifyInit(digest.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
        return false;
      return EVP_DigestVerify(digest.get(), reinterpret_cast<const unsigned char*>(token.signature.data()),
                              token.signature.size(),
                              reinterpret_cast<const unsigned char*>(token.signed_part.data()),
                              token.signed_part.size()) == 1;
    } catch (const std::invalid_argument&) {  // a key that is not base64url
      return false;
    }
  }
  return false;
}

}  // namespace pareto::engine
