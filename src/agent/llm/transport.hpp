// What the three providers share: server-sent events, the POST with retries and backoff, and turning an HTTP error
// into a message that says what to do. Internal to src/agent/llm.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/llm/provider.hpp"

namespace cowork::llm {

// Server-sent events (text/event-stream): feed it bytes as they come; it calls back once per complete event with
// the event's name ("" when none) and its data lines joined by '\n'.
class SseParser {
 public:
  explicit SseParser(std::function<void(std::string_view event, std::string_view data)> on_event)
      : m_on_event(std::move(on_event)) {}
  void feed(std::string_view bytes);
  void finish();  // dispatches a last event not followed by a blank line
  int events() const { return m_events; }

 private:
  void line(std::string_view text);
  std::function<void(std::string_view, std::string_view)> m_on_event;
  std::string m_pending, m_event, m_data;
  bool m_has_data = false;
  int m_events = 0;
};

struct Exchange {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string key_variable;  // named in the 401/403 message
  // Streaming: each SSE event of a 2xx reply. Without it the whole body is returned.
  std::function<void(std::string_view event, std::string_view data)> on_event;
  std::function<void()> reset;  // called before a retry: forget what a failed attempt streamed
};

struct ExchangeResult {
  std::string body;      // a 2xx body that was not an event stream (also when streaming was asked for)
  int sse_events = 0;
  int attempts = 1;
};

// POSTs with retries on 429/5xx/dropped connections (not after a 2xx reply began), honouring Retry-After.
Result<ExchangeResult> post(const ProviderConfig& config, std::string_view provider, const Exchange& exchange,
                            const CallOptions& options);

// The JSON of a reply body; an error naming the provider and host when it is not JSON.
Result<nlohmann::json> parse_reply(std::string_view provider, const ProviderConfig& config, std::string_view body);

// An error for a reply that parsed but is not the API's documented shape.
Error malformed(std::string_view provider, const ProviderConfig& config, std::string_view what);

// The request's JSON text; a string that is not valid UTF-8 (a file in another encoding) is sent with U+FFFD
// rather than failing the request.
std::string request_body(const nlohmann::json& body);

// `base` + `path`, without a doubled slash.
std::string join_url(std::string_view base, std::string_view path);

// The tool call arguments as an object for APIs that take JSON (Gemini, Anthropic): the parsed text, or
// {"_raw": text} when the model wrote something that is not a JSON object (kept so the conversation stays true).
nlohmann::json arguments_object(const std::string& arguments);

}  // namespace cowork::llm
