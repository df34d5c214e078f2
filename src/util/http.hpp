// A small HTTP client (libcurl) for the services cowork calls: LLM endpoints today. One request at a time per call,
// a whole-request timeout, cancellation from another thread, and the body delivered as it arrives for streamed
// (server-sent events) replies. Headers that carry secrets are never logged by this code; callers keep them out of
// error messages too.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.hpp"

namespace cowork::http {

struct Request {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{120000};       // the whole exchange, first byte to last
  std::chrono::milliseconds connect_timeout{10000};
  // Called with each piece of the body as it arrives (2xx replies only; error bodies are collected whole).
  // Returning false aborts the transfer.
  std::function<bool(std::string_view chunk)> on_data;
  const std::atomic<bool>* cancel = nullptr;  // set to true from anywhere to abort
};

struct Response {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;  // the whole body, unless on_data consumed it; of an error reply, its first 64 KB
  std::string header(std::string_view name) const;  // "" when absent
};

// An exception thrown by on_data ends the transfer and is rethrown here once the handle is released.
// Transport failures are errors: unavailable (cannot connect, connection dropped), timeout, cancelled
// (ErrorCode::unavailable with a message saying so; see is_cancelled). Any HTTP status is a Response.
Result<Response> send(const Request& request);

// True for the error send() returns when the request's cancel flag was set.
bool is_cancelled(const Error& error);

// The host part of a URL ("http://127.0.0.1:8080/v1" -> "127.0.0.1:8080"), for messages that name the service.
std::string host_of(std::string_view url);

// The delay a Retry-After header asks for: seconds, or an HTTP date. Nothing when absent or unreadable.
std::optional<std::chrono::milliseconds> retry_after(std::string_view value);

}  // namespace cowork::http
