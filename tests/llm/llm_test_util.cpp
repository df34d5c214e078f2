#include "llm_test_util.hpp"

#include <atomic>
#include <thread>

#include "util/http.hpp"

namespace cowork::llm::test {
namespace {

using namespace std::chrono_literals;

void expect_no_key(const Error& error) {
  EXPECT_EQ(error.message.find(k_key), std::string::npos) << "the API key leaked into: " << error.message;
}

// The reply's text, or a failure naming the error.
std::string text_of(const Result<ChatReply>& reply) {
  if (!reply) {
    ADD_FAILURE() << "chat failed: " << reply.error().message;
    return {};
  }
  return reply->message.text;
}

}  // namespace

ProviderConfig config_for(const Kit& kit, const FakeHttpServer& server, bool stream) {
  ProviderConfig config;
  config.provider = kit.provider;
  config.model = kit.model;
  config.base_url = server.url() + kit.base_suffix;
  config.api_key = k_key;
  config.timeout = 2s;
  config.max_attempts = 4;
  config.backoff = 10ms;
  config.max_backoff = 200ms;
  config.stream = stream;
  return config;
}

std::unique_ptr<Provider> provider_for(const ProviderConfig& config) {
  auto provider = make_provider(config);
  if (!provider) {
    ADD_FAILURE() << "make_provider: " << provider.error().message;
    return nullptr;
  }
  return std::move(*provider);
}

ChatRequest hello_request() {
  ChatRequest request;
  request.messages.push_back(Message{Role::user, "Say hello."});
  return request;
}

nlohmann::json run_sql_schema() {
  return nlohmann::json::parse(R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
      "sql": {"type": "string", "description": "a read-only query"},
      "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
      "options": {"type": "object", "properties": {"dialect": {"type": "string", "enum": ["duckdb", "postgres"]}},
                  "additionalProperties": false}
    },
    "required": ["sql"],
    "additionalProperties": false
  })");
}

nlohmann::json read_file_schema() {
  return nlohmann::json::parse(R"({
    "type": "object",
    "properties": {
      "path": {"type": "string"},
      "lines": {"type": "array", "items": {"type": "integer", "additionalProperties": false}, "maxItems": 2}
    },
    "required": ["path"]
  })");
}

ChatRequest conversation_with_tools() {
  ChatRequest request;
  request.system = "You are cowork. Investigate the failing dbt run.";
  request.max_output_tokens = 1234;
  request.messages.push_back(Message{Role::user, "Why did fct_orders fail?"});
  Message assistant{Role::assistant, "Let me look."};
  assistant.tool_calls.push_back(ToolCall{"call_1", "run_sql", R"({"sql": "select count(*) from orders"})"});
  assistant.tool_calls.push_back(ToolCall{"call_2", "read_file", R"({"path": "models/fct_orders.sql"})"});
  request.messages.push_back(assistant);
  Message result1{Role::tool, "42"};
  result1.tool_call_id = "call_1";
  result1.tool_name = "run_sql";
  request.messages.push_back(result1);
  Message result2{Role::tool, "no such file"};
  result2.tool_call_id = "call_2";
  result2.tool_name = "read_file";
  result2.is_error = true;
  request.messages.push_back(result2);
  request.messages.push_back(Message{Role::user, "Go on."});
  request.tools.push_back(ToolSpec{"run_sql", "Run a read-only SQL query on the warehouse.", run_sql_schema()});
  request.tools.push_back(ToolSpec{"read_file", "Read a file of the dbt project.", read_file_schema()});
  return request;
}

nlohmann::json body_json(const HttpExchangeRequest& request) {
  auto json = nlohmann::json::parse(request.body, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << "the request body is not JSON: " << request.body;
  return json.is_discarded() ? nlohmann::json::object() : json;
}

std::vector<HttpExchangeRequest> wait_for_requests(const FakeHttpServer& server, size_t count) {
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (server.request_count() < count && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  return server.requests();
}

HttpExchangeResponse error_response(const Kit& kit, int status, const std::string& message) {
  return HttpExchangeResponse::json(status, kit.error_body(status, message));
}

std::vector<std::string> split_bytes(const std::string& body, size_t size) {
  std::vector<std::string> out;
  for (size_t at = 0; at < body.size(); at += size) out.push_back(body.substr(at, size));
  return out;
}

void check_plain_reply_to_streamed_request(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(200, kit.plain_reply("A plain answer."));
  });
  auto provider = provider_for(config_for(kit, server, /*stream=*/true));
  ASSERT_NE(provider, nullptr);
  std::vector<std::string> pieces;
  CallOptions options;
  options.on_text = [&](std::string_view text) { pieces.emplace_back(text); };
  auto reply = provider->chat(hello_request(), options);
  EXPECT_EQ(text_of(reply), "A plain answer.");
  EXPECT_EQ(pieces, std::vector<std::string>{"A plain answer."});
  if (reply) {
    EXPECT_GT(reply->usage.input_tokens, 0);
    EXPECT_GT(reply->usage.output_tokens, 0);
    EXPECT_FALSE(reply->finish_reason.empty());
  }
}

void check_not_json(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "streamed request" : "plain request");
    FakeHttpServer server([&](const HttpExchangeRequest&) {
      return HttpExchangeResponse::json(200, "<html><body>502 proxy error {{{</body></html>");
    });
    auto provider = provider_for(config_for(kit, server, stream));
    ASSERT_NE(provider, nullptr);
    auto reply = provider->chat(hello_request());
    ASSERT_FALSE(reply) << "a garbage body was accepted: " << reply->message.text;
    EXPECT_EQ(reply.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(reply.error().message.find(kit.provider), std::string::npos) << reply.error().message;
    EXPECT_NE(reply.error().message.find("not JSON"), std::string::npos) << reply.error().message;
    EXPECT_NE(reply.error().message.find("127.0.0.1"), std::string::npos) << reply.error().message;
    expect_no_key(reply.error());
    EXPECT_EQ(server.request_count(), 1u) << "a 2xx reply is not retried";
  }
}

void check_malformed_stream_chunk(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  auto events = kit.stream_text({"Hel", "lo"});
  // A broken event after the first good one.
  events.insert(events.begin() + 2, {events[1].first, "{\"truncated\": "});
  FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(events); });
  auto provider = provider_for(config_for(kit, server));
  ASSERT_NE(provider, nullptr);
  auto reply = provider->chat(hello_request());
  ASSERT_FALSE(reply) << "a broken event was accepted; text: " << reply->message.text;
  EXPECT_EQ(reply.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(reply.error().message.find(kit.provider), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find("127.0.0.1"), std::string::npos) << reply.error().message;
  expect_no_key(reply.error());
  EXPECT_EQ(server.request_count(), 1u) << "not retried once the reply began";
}

void check_retry_after_then_success(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    if (calls++ == 0) {
      auto response = error_response(kit, 429, "Rate limit reached, slow down");
      response.headers.emplace_back("Retry-After", "0");
      return response;
    }
    return HttpExchangeResponse::json(200, kit.plain_reply("after the retry"));
  });
  auto provider = provider_for(config_for(kit, server, /*stream=*/false));
  ASSERT_NE(provider, nullptr);
  std::vector<std::pair<std::string, std::chrono::milliseconds>> retries;
  CallOptions options;
  options.on_retry = [&](std::string_view reason, std::chrono::milliseconds delay) { retries.emplace_back(reason, delay); };
  auto reply = provider->chat(hello_request(), options);
  EXPECT_EQ(text_of(reply), "after the retry");
  if (reply) {
    EXPECT_EQ(reply->attempts, 2);
  }
  EXPECT_EQ(server.request_count(), 2u);
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_NE(retries[0].first.find("429"), std::string::npos) << retries[0].first;
  EXPECT_EQ(retries[0].second, 0ms) << "Retry-After: 0 is honoured rather than the backoff";
  // Both attempts sent the same request.
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(requests[0].target, requests[1].target);
}

void check_503_three_times_then_success(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    if (calls++ < 3) return error_response(kit, 503, "The service is overloaded");
    return HttpExchangeResponse::json(200, kit.plain_reply("finally"));
  });
  auto config = config_for(kit, server, /*stream=*/true);
  config.max_attempts = 4;
  auto provider = provider_for(config);
  ASSERT_NE(provider, nullptr);
  std::vector<std::chrono::milliseconds> delays;
  CallOptions options;
  options.on_retry = [&](std::string_view, std::chrono::milliseconds delay) { delays.push_back(delay); };
  auto reply = provider->chat(hello_request(), options);
  EXPECT_EQ(text_of(reply), "finally");
  if (reply) {
    EXPECT_EQ(reply->attempts, 4);
  }
  EXPECT_EQ(server.request_count(), 4u);
  // Exponential backoff from config.backoff (10 ms) without a Retry-After.
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{10ms, 20ms, 40ms}));
}

void check_429_forever(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    auto response = error_response(kit, 429, "Quota exceeded");
    response.headers.emplace_back("Retry-After", "0");
    return response;
  });
  auto config = config_for(kit, server);
  config.max_attempts = 3;
  auto provider = provider_for(config);
  ASSERT_NE(provider, nullptr);
  int retries = 0;
  CallOptions options;
  options.on_retry = [&](std::string_view, std::chrono::milliseconds) { ++retries; };
  auto reply = provider->chat(hello_request(), options);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::unavailable);
  EXPECT_NE(reply.error().message.find("3 attempts"), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find("429"), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find("Quota exceeded"), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find(kit.provider), std::string::npos) << reply.error().message;
  expect_no_key(reply.error());
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(retries, 2);
}

void check_timeout_not_retried(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::json(200, kit.plain_reply("too late"));
    response.hang = 5s;
    return response;
  });
  auto config = config_for(kit, server);
  config.timeout = 1s;
  auto provider = provider_for(config);
  ASSERT_NE(provider, nullptr);
  int retries = 0;
  CallOptions options;
  options.on_retry = [&](std::string_view, std::chrono::milliseconds) { ++retries; };
  Stopwatch watch;
  auto reply = provider->chat(hello_request(), options);
  const double elapsed = watch.seconds();
  ASSERT_FALSE(reply) << "got a reply from a hanging server";
  EXPECT_EQ(reply.error().code, ErrorCode::timeout) << reply.error().message;
  EXPECT_NE(reply.error().message.find(kit.provider), std::string::npos) << reply.error().message;
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 3.0);
  EXPECT_EQ(server.request_count(), 1u) << "a timeout is not retried";
  EXPECT_EQ(retries, 0);
  expect_no_key(reply.error());
}

void check_unauthorized(const Kit& kit, int status) {
  SCOPED_TRACE(kit.provider + " HTTP " + std::to_string(status));
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    return error_response(kit, status, "Invalid authentication credentials");
  });
  auto provider = provider_for(config_for(kit, server));
  ASSERT_NE(provider, nullptr);
  auto reply = provider->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::permission_denied) << reply.error().message;
  EXPECT_NE(reply.error().message.find(kit.key_variable), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find(kit.provider), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find("127.0.0.1"), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find("Invalid authentication credentials"), std::string::npos) << reply.error().message;
  expect_no_key(reply.error());
  EXPECT_EQ(server.request_count(), 1u) << "a refused key is not retried";
}

void check_unknown_model(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    return error_response(kit, 404, "model no-such-model-9 not found");
  });
  auto config = config_for(kit, server);
  config.model = "no-such-model-9";
  auto provider = provider_for(config);
  ASSERT_NE(provider, nullptr);
  auto reply = provider->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::not_found) << reply.error().message;
  EXPECT_NE(reply.error().message.find("'no-such-model-9'"), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find(kit.provider), std::string::npos) << reply.error().message;
  expect_no_key(reply.error());
  EXPECT_EQ(server.request_count(), 1u) << "an unknown model is not retried";
}

void check_cancel_while_hanging(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::json(200, kit.plain_reply("too late"));
    response.hang = 8s;
    return response;
  });
  auto config = config_for(kit, server);
  config.timeout = 10s;
  auto provider = provider_for(config);
  ASSERT_NE(provider, nullptr);
  std::atomic<bool> cancel{false};
  CallOptions options;
  options.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  Stopwatch watch;
  auto reply = provider->chat(hello_request(), options);
  const double elapsed = watch.seconds();
  canceller.join();
  ASSERT_FALSE(reply) << "got a reply after cancelling";
  EXPECT_TRUE(http::is_cancelled(reply.error())) << reply.error().message;
  EXPECT_NE(reply.error().message.find(kit.provider), std::string::npos) << reply.error().message;
  EXPECT_LT(elapsed, 1.5) << "cancellation took " << elapsed << " s";
  EXPECT_EQ(server.request_count(), 1u) << "a cancelled request is not retried";
}

// A server that echoes the key in its error text or a non-JSON body: the key never reaches a message.
void check_key_echoed_by_server_is_redacted(const Kit& kit) {
  SCOPED_TRACE(kit.provider);
  const std::string echo = std::string("Incorrect API key provided: ") + k_key + ".";
  {
    FakeHttpServer server([&](const HttpExchangeRequest&) { return error_response(kit, 401, echo); });
    auto reply = provider_for(config_for(kit, server))->chat(hello_request());
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::permission_denied);
    expect_no_key(reply.error());
  }
  {
    FakeHttpServer server([&](const HttpExchangeRequest&) { return error_response(kit, 400, echo); });
    auto reply = provider_for(config_for(kit, server))->chat(hello_request());
    ASSERT_FALSE(reply);
    expect_no_key(reply.error());
  }
  {
    // A proxy's page that is not JSON, quoting the key it was given.
    FakeHttpServer server([&](const HttpExchangeRequest&) {
      return HttpExchangeResponse::json(200, std::string("<html>bad key ") + k_key + "</html>");
    });
    auto reply = provider_for(config_for(kit, server, false))->chat(hello_request());
    ASSERT_FALSE(reply);
    expect_no_key(reply.error());
  }
}

nlohmann::json request_with_tool_calls_not_allowed(const Kit& kit) {
  FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::json(200, kit.plain_reply("ok")); });
  ChatRequest request = conversation_with_tools();
  request.allow_tool_calls = false;
  auto reply = provider_for(config_for(kit, server, false))->chat(request);
  EXPECT_TRUE(reply) << reply.error().message;
  const auto requests = server.requests();
  if (requests.empty()) return nlohmann::json::object();
  auto body = body_json(requests.front());
  EXPECT_TRUE(body.contains("tools")) << body.dump(1);
  return body;
}

}  // namespace cowork::llm::test
