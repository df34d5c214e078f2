// MD5 digests, for names that must match what dbt writes (dbt hashes long generic-test names with MD5). Not for
// anything that needs to be secure.
#pragma once

#include <string>
#include <string_view>

namespace cowork {

// The 32-character lower-case hex MD5 of `data`.
std::string md5_hex(std::string_view data);

}  // namespace cowork
