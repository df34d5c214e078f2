#include "util/error.hpp"

namespace cowork {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid argument";
    case ErrorCode::not_found:
      return "not found";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::permission_denied:
      return "permission denied";
    case ErrorCode::internal:
      return "internal error";
  }
  return "internal error";
}

Error& Error::with_context(std::string_view context) {
  message = fmt::format("{}: {}", context, message);
  return *this;
}

}  // namespace cowork
