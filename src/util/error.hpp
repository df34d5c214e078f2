// Error values for the whole engine. Every fallible operation returns Result<T> = std::expected<T, Error>; an Error
// carries a code a caller can branch on and a message a person can act on, which names the file, line or service.
// Exceptions are reserved for "cannot continue" at the very top (main); user input never trips an assert.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace cowork {

enum class ErrorCode {
  invalid_argument,   // the input is malformed or not what was asked for (a broken manifest, an unknown selector)
  not_found,          // a file, node or incident that does not exist
  unavailable,        // a service (warehouse, LLM endpoint) cannot be reached
  timeout,            // a service did not answer in time
  permission_denied,  // the OS or a service refused access
  internal,           // a bug in cowork; the message says what invariant broke
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;

  // Prefixes the message with context ("reading target/manifest.json: ...").
  Error& with_context(std::string_view context);
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

template <typename... Args>
std::unexpected<Error> make_error(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return std::unexpected(Error{code, fmt::format(format, std::forward<Args>(args)...)});
}

}  // namespace cowork

// Evaluates a Result-returning expression; on error returns the error from the enclosing function.
#define COWORK_TRY(expr)                                             \
  do {                                                               \
    if (auto cowork_try_result_ = (expr); !cowork_try_result_)       \
      return std::unexpected(std::move(cowork_try_result_).error()); \
  } while (0)

// Declares `var` from a Result-returning expression, or returns its error from the enclosing function.
#define COWORK_ASSIGN_OR_RETURN(var, expr)                                               \
  auto COWORK_CONCAT_(cowork_result_, __LINE__) = (expr);                                \
  if (!COWORK_CONCAT_(cowork_result_, __LINE__))                                         \
    return std::unexpected(std::move(COWORK_CONCAT_(cowork_result_, __LINE__)).error()); \
  var = std::move(*COWORK_CONCAT_(cowork_result_, __LINE__))

#define COWORK_CONCAT_INNER_(a, b) a##b
#define COWORK_CONCAT_(a, b) COWORK_CONCAT_INNER_(a, b)
