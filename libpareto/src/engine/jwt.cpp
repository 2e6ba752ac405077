#include "engine/jwt.hpp"

#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include <array>
#include <stdexcept>

#include "engine/base64.hpp"

namespace pareto::engine {

namespace {
using json = nlohmann::json;

// RFC 7515's base64url: '-' and '_' for '+' and '/', without padding.
std::string base64url_decode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) c = c == '-' ? '+' : c == '_' ? '/' : c;
  return base64_decode(standard);
}

// An RSA public key from its modulus and exponent (big-endian bytes), freed with it.
class RsaPublicKey {
 public:
  RsaPublicKey(const std::string& modulus, const std::string& exponent) {
    mbedtls_rsa_init(&context_, MBEDTLS_RSA_PKCS_V15, 0);
    valid_ = mbedtls_rsa_import_raw(&context_, bytes(modulus), modulus.size(), nullptr, 0, nullptr, 0, nullptr, 0,
                                    bytes(exponent), exponent.size()) == 0 &&
             mbedtls_rsa_complete(&context_) == 0 && mbedtls_rsa_check_pubkey(&context_) == 0;
  }
  RsaPublicKey(const RsaPublicKey&) = delete;
  RsaPublicKey& operator=(const RsaPublicKey&) = delete;
  ~RsaPublicKey() { mbedtls_rsa_free(&context_); }

  // Whether `signature` is this key's RSASSA-PKCS1-v1_5 signature of `message` with SHA-256.
  bool verifies(const std::string& signature, const std::string& message) {
    // The verifier reads as many bytes as the modulus has.
    if (!valid_ || signature.size() != mbedtls_rsa_get_len(&context_)) return false;
    std::array<unsigned char, 32> digest{};
    if (mbedtls_sha256_ret(bytes(message), message.size(), digest.data(), 0) != 0) return false;
    return mbedtls_rsa_pkcs1_verify(&context_, nullptr, nullptr, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256,
                                    static_cast<unsigned int>(digest.size()), digest.data(), bytes(signature)) == 0;
  }

 private:
  static const unsigned char* bytes(const std::string& text) {
    return reinterpret_cast<const unsigned char*>(text.data());
  }
  mbedtls_rsa_context context_{};
  bool valid_ = false;
};
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
      RsaPublicKey key(base64url_decode(jwk["n"].get<std::string>()), base64url_decode(jwk["e"].get<std::string>()));
      return key.verifies(token.signature, token.signed_part);
    } catch (const std::invalid_argument&) {  // a key that is not base64url
      return false;
    }
  }
  return false;
}

}  // namespace pareto::engine
