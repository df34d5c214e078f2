// Shared pieces of the LLM provider tests: a provider pointed at a FakeHttpServer, the conversation the request
// tests send, and the checks every provider must pass (retries, timeouts, cancellation, HTTP errors, a reply that is
// not JSON), parameterised by a Kit that knows the provider's documented reply and error shapes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/llm/provider.hpp"
#include "support/fake_http_server.hpp"

namespace cowork::llm::test {

using cowork::testing::FakeHttpServer;
using cowork::testing::HttpExchangeRequest;
using cowork::testing::HttpExchangeResponse;

inline constexpr const char* k_key = "sk-test-123";

struct Kit {
  std::string provider;      // openai | gemini | anthropic
  std::string model;         // the model the config names
  std::string base_suffix;   // appended to the server's URL for base_url ("/v1" for OpenAI)
  std::string key_variable;  // named in the 401/403 message
  std::string stream_path;   // the path a streamed request goes to
  // The provider's documented non-streamed reply carrying `text` (finish reason "stop"-like, some usage).
  std::function<std::string(const std::string& text)> plain_reply;
  // The provider's documented streamed reply (SSE events: name, data) whose text arrives as `pieces`.
  std::function<std::vector<std::pair<std::string, std::string>>(const std::vector<std::string>& pieces)> stream_text;
  // The provider's documented error body for `status` with `message`.
  std::function<std::string(int status, const std::string& message)> error_body;
};

// A config for `kit` against `server`: the test key, a 2 s timeout, 10 ms backoff, 4 attempts.
ProviderConfig config_for(const Kit& kit, const FakeHttpServer& server, bool stream = true);
std::unique_ptr<Provider> provider_for(const ProviderConfig& config);

ChatRequest hello_request();  // one user message, no tools
// The conversation the request tests send: a system prompt, a user question, an assistant turn with text and two
// tool calls (ids call_1 / call_2), both tool results (the second an error), then a user follow-up; two tools.
ChatRequest conversation_with_tools();
nlohmann::json run_sql_schema();
nlohmann::json read_file_schema();

nlohmann::json body_json(const HttpExchangeRequest& request);  // the request's body, parsed (fails the test if not)
std::vector<HttpExchangeRequest> wait_for_requests(const FakeHttpServer& server, size_t count);

// The Retry-After-less response of `status` with the kit's error body.
HttpExchangeResponse error_response(const Kit& kit, int status, const std::string& message);

class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(); }

 private:
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// An SSE body cut into pieces of `size` bytes, so events and lines straddle chunk boundaries.
std::vector<std::string> split_bytes(const std::string& body, size_t size);

// The body of a request whose tools are declared but may not be called this turn (checked: the tools are there).
// On such a turn the tools stay declared (Anthropic refuses tool blocks in the history otherwise) and the model is
// told not to call one, in each provider's way.
nlohmann::json request_with_tool_calls_not_allowed(const Kit& kit);

// The checks every provider must pass.
void check_plain_reply_to_streamed_request(const Kit& kit);
void check_not_json(const Kit& kit);
void check_malformed_stream_chunk(const Kit& kit);
void check_retry_after_then_success(const Kit& kit);
void check_503_three_times_then_success(const Kit& kit);
void check_429_forever(const Kit& kit);
void check_timeout_not_retried(const Kit& kit);
void check_unauthorized(const Kit& kit, int status);
void check_unknown_model(const Kit& kit);
void check_cancel_while_hanging(const Kit& kit);
// A server (a proxy, a compatible server) that echoes the key in its error text: the key must not reach the message.
void check_key_echoed_by_server_is_redacted(const Kit& kit);

}  // namespace cowork::llm::test
