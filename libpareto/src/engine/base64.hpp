// Base64 (RFC 4648, standard alphabet): how every host carries the binary members of AWS
// requests and answers (Lambda's Payload, S3's Body) through JSON.
#pragma once

#include <string>
#include <string_view>

namespace pareto::engine {

std::string base64_encode(std::string_view bytes);  // padded with '='
// Padding is optional; throws std::invalid_argument on a character outside the alphabet.
std::string base64_decode(std::string_view text);

}  // namespace pareto::engine
