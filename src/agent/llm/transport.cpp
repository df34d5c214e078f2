#include "agent/llm/transport.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "util/http.hpp"
#include "util/strings.hpp"
#include "util/utf8.hpp"

namespace cowork::llm {
namespace {

// The start of a body for a message: one line, cut between UTF-8 sequences, malformed bytes replaced (a server may
// send binary).
std::string snippet(std::string_view text, size_t limit = 300) {
  text = trim(text);
  std::string out = valid_utf8(utf8_prefix(text, limit));
  for (auto& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  if (text.size() > limit) out += "...";
  return out;
}

// The message of an error body: OpenAI's and Anthropic's {"error": {"message"}}, Gemini's {"error": {"message"}}
// (or a list of those), else the start of the body.
std::string error_message(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_array() && !json.empty()) json = json.front();
  if (json.is_object()) {
    if (auto it = json.find("error"); it != json.end()) {
      if (it->is_object() && it->contains("message") && (*it)["message"].is_string())
        return (*it)["message"].get<std::string>();
      if (it->is_string()) return it->get<std::string>();
    }
    if (auto it = json.find("message"); it != json.end() && it->is_string()) return it->get<std::string>();
  }
  return body.empty() ? std::string("no body") : snippet(body);
}

constexpr size_t k_max_plain_reply = 16u << 20;   // a reply that is not streamed
constexpr size_t k_max_streamed_reply = 64u << 20; // a stream, all its events: a model turn is never near this

bool retryable(long status) { return status == 408 || status == 409 || status == 429 || status >= 500; }

bool mentions_unknown_model(std::string_view message) {
  const std::string lower = to_lower(message);
  return lower.find("model") != std::string::npos &&
         (lower.find("not found") != std::string::npos || lower.find("does not exist") != std::string::npos ||
          lower.find("unknown") != std::string::npos || lower.find("not supported") != std::string::npos);
}

Error http_error(const ProviderConfig& config, std::string_view provider, const std::string& key_variable,
                 const http::Response& response) {
  const std::string host = http::host_of(config.base_url);
  const std::string message = error_message(response.body);
  // Gemini answers a bad key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
  const bool key_refused = response.status == 401 || response.status == 403 ||
                           (response.status == 400 && (response.body.find("API_KEY_INVALID") != std::string::npos ||
                                                       message.find("API key not valid") != std::string::npos));
  if (key_refused)
    return Error{ErrorCode::permission_denied,
                 fmt::format("{} at {} refused the API key (HTTP {}: {}); check {}", provider, host, response.status,
                             message, key_variable)};
  if (response.status == 404 || (response.status == 400 && mentions_unknown_model(message)))
    return Error{ErrorCode::not_found,
                 fmt::format("{} at {} does not know model '{}' (HTTP {}: {}); choose another with --model or "
                             "COWORK_LLM_MODEL, or check the base URL",
                             provider, host, config.model, response.status, message)};
  if (retryable(response.status))
    return Error{ErrorCode::unavailable,
                 fmt::format("{} at {} is unavailable (HTTP {}: {})", provider, host, response.status, message)};
  return Error{ErrorCode::invalid_argument,
               fmt::format("{} at {} rejected the request (HTTP {}: {})", provider, host, response.status, message)};
}

// Sleeps `delay`, waking early when cancelled; false when cancelled.
bool wait(std::chrono::milliseconds delay, const std::atomic<bool>* cancel) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (cancel != nullptr && cancel->load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(std::chrono::milliseconds(50),
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()) +
            std::chrono::milliseconds(1)));
  }
  return cancel == nullptr || !cancel->load();
}

}  // namespace

void SseParser::feed(std::string_view bytes) {
  m_pending.append(bytes);
  size_t start = 0;
  for (;;) {
    const size_t end = m_pending.find('\n', start);
    if (end == std::string::npos) break;
    std::string_view text(m_pending.data() + start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    line(text);
    start = end + 1;
  }
  m_pending.erase(0, start);
}

void SseParser::finish() {
  if (!m_pending.empty()) {
    std::string rest = std::move(m_pending);
    m_pending.clear();
    if (!rest.empty() && rest.back() == '\r') rest.pop_back();
    line(rest);
  }
  line("");
}

void SseParser::line(std::string_view text) {
  if (text.empty()) {
    if (m_has_data) {
      ++m_events;
      m_on_event(m_event, m_data);
    }
    m_event.clear();
    m_data.clear();
    m_has_data = false;
    return;
  }
  if (text.front() == ':') return;  // a comment (keep-alive)
  const size_t colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    m_event = std::string(value);
  } else if (field == "data") {
    if (m_has_data) m_data.push_back('\n');
    m_data.append(value);
    m_has_data = true;
  }
}

Result<ExchangeResult> post(const ProviderConfig& config, std::string_view provider, const Exchange& exchange,
                            const CallOptions& options) {
  ExchangeResult out;
  const int max_attempts = std::max(1, config.max_attempts);
  for (int attempt = 1;; ++attempt) {
    out.attempts = attempt;
    if (exchange.reset && attempt > 1) exchange.reset();
    http::Request request;
    request.url = exchange.url;
    request.headers = exchange.headers;
    request.body = exchange.body;
    request.timeout = options.timeout.value_or(config.timeout);
    if (options.deadline) {
      // Retries share the caller's deadline: each attempt gets what is left of it.
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*options.deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return make_error(ErrorCode::timeout, "{}: no time left for the request to {}", provider,
                          http::host_of(exchange.url));
      request.timeout = std::min(request.timeout, left);
    }
    request.cancel = options.cancel;
    std::string raw;  // a 2xx body, kept in case it is plain JSON rather than events
    bool received = false;
    bool too_large = false;
    size_t total = 0;
    SseParser parser([&](std::string_view event, std::string_view data) {
      if (exchange.on_event) exchange.on_event(event, data);
    });
    request.on_data = [&](std::string_view chunk) {
      received = true;
      total += chunk.size();
      if (raw.size() + chunk.size() <= k_max_plain_reply) raw.append(chunk);
      else if (!exchange.on_event || parser.events() == 0) too_large = true;
      if (total > k_max_streamed_reply) too_large = true;
      if (exchange.on_event) parser.feed(chunk);
      return !too_large;
    };
    auto response = http::send(request);
    std::string reason;
    std::optional<std::chrono::milliseconds> asked;
    if (!response) {
      // Not after a reply began: its text may already be on the user's screen.
      if (received || response.error().code == ErrorCode::timeout || http::is_cancelled(response.error()) ||
          attempt >= max_attempts) {
        Error error = response.error();
        error.message = fmt::format("{}: {}", provider, error.message);
        return std::unexpected(std::move(error));
      }
      reason = response.error().message;
    } else if (too_large) {
      return make_error(ErrorCode::invalid_argument, "{} at {} sent a reply larger than {} MB; it was cut off",
                        provider, http::host_of(config.base_url),
                        (total > k_max_streamed_reply ? k_max_streamed_reply : k_max_plain_reply) >> 20);
    } else if (response->status >= 200 && response->status < 300) {
      if (exchange.on_event) parser.finish();
      out.sse_events = parser.events();
      if (out.sse_events == 0) out.body = std::move(raw);
      return out;
    } else {
      Error error = http_error(config, provider, exchange.key_variable, *response);
      if (!retryable(response->status) || attempt >= max_attempts) {
        if (retryable(response->status) && attempt > 1)
          error.message += fmt::format(" after {} attempts", attempt);
        return std::unexpected(std::move(error));
      }
      reason = fmt::format("HTTP {}", response->status);
      asked = http::retry_after(response->header("retry-after"));
    }
    auto delay = asked.value_or(config.backoff * (1 << std::min(attempt - 1, 10)));
    delay = std::min(delay, config.max_backoff);
    if (options.deadline && std::chrono::steady_clock::now() + delay >= *options.deadline)
      return make_error(ErrorCode::timeout, "{} at {}: {} and no time left to retry", provider,
                        http::host_of(config.base_url), reason);
    if (options.on_retry) options.on_retry(reason, delay);
    if (!wait(delay, options.cancel))
      return make_error(ErrorCode::unavailable, "{}: request to {} cancelled", provider, http::host_of(exchange.url));
  }
}

Result<nlohmann::json> parse_reply(std::string_view provider, const ProviderConfig& config, std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded())
    return make_error(ErrorCode::invalid_argument, "{} at {} sent a reply that is not JSON: {}", provider,
                      http::host_of(config.base_url), snippet(body, 120));
  return json;
}

Error malformed(std::string_view provider, const ProviderConfig& config, std::string_view what) {
  return Error{ErrorCode::invalid_argument, fmt::format("{} at {} sent a reply the API does not document: {}", provider,
                                                        http::host_of(config.base_url), what)};
}

std::string request_body(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string join_url(std::string_view base, std::string_view path) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (!path.starts_with('/')) out.push_back('/');
  out.append(path);
  return out;
}

nlohmann::json arguments_object(const std::string& arguments) {
  if (trim(arguments).empty()) return nlohmann::json::object();
  auto json = nlohmann::json::parse(arguments, nullptr, false);
  if (json.is_object()) return json;
  return nlohmann::json{{"_raw", arguments}};
}

}  // namespace cowork::llm
