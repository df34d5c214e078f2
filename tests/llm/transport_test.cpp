// What the providers share: the SSE parser, Retry-After, URLs, the retry loop's timing and cancellation, choosing a
// provider (flags > environment > cowork.yml), and the fake server the provider tests stand on.
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/llm/transport.hpp"
#include "llm_test_util.hpp"
#include "support/temp_dir.hpp"
#include "util/http.hpp"

namespace cowork::llm::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using Events = std::vector<std::pair<std::string, std::string>>;

// ---- SseParser ----

Events parse_sse(const std::vector<std::string>& feeds, bool finish = true) {
  Events out;
  SseParser parser([&](std::string_view event, std::string_view data) { out.emplace_back(event, data); });
  for (const auto& piece : feeds) parser.feed(piece);
  if (finish) parser.finish();
  EXPECT_EQ(parser.events(), static_cast<int>(out.size()));
  return out;
}

TEST(SseParser, OneEventPerBlankLine) {
  EXPECT_EQ(parse_sse({"data: one\n\ndata: two\n\n"}), (Events{{"", "one"}, {"", "two"}}));
}

TEST(SseParser, EventNamesApplyToTheirEventOnly) {
  EXPECT_EQ(parse_sse({"event: message_start\ndata: {}\n\ndata: plain\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n"}),
            (Events{{"message_start", "{}"}, {"", "plain"}, {"ping", "{\"type\": \"ping\"}"}}));
}

TEST(SseParser, CrLfLineEndings) {
  EXPECT_EQ(parse_sse({"event: a\r\ndata: x\r\n\r\ndata: y\r\n\r\n"}), (Events{{"a", "x"}, {"", "y"}}));
}

TEST(SseParser, CommentsAndUnknownFieldsAreIgnored) {
  EXPECT_EQ(parse_sse({": keep-alive\n\n:ping\ndata: y\nid: 7\nretry: 100\n\n: OPENROUTER PROCESSING\n\n"}),
            (Events{{"", "y"}}));
}

TEST(SseParser, MultiLineDataJoinsWithNewlines) {
  EXPECT_EQ(parse_sse({"data: {\ndata:   \"a\": 1\ndata: }\n\n"}), (Events{{"", "{\n  \"a\": 1\n}"}}));
}

TEST(SseParser, OnlyOneLeadingSpaceIsStripped) {
  EXPECT_EQ(parse_sse({"data:x\n\ndata:  y\n\n"}), (Events{{"", "x"}, {"", " y"}}));
}

TEST(SseParser, SplitAcrossFeedsAnywhere) {
  const std::string stream = "event: content_block_delta\r\ndata: {\"a\": \"b\"}\r\n\r\ndata: [DONE]\r\n\r\n";
  const Events expected{{"content_block_delta", "{\"a\": \"b\"}"}, {"", "[DONE]"}};
  // Byte by byte, and every two-piece split.
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  EXPECT_EQ(parse_sse(bytes), expected);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    SCOPED_TRACE(cut);
    EXPECT_EQ(parse_sse({stream.substr(0, cut), stream.substr(cut)}), expected);
  }
}

TEST(SseParser, NothingBeforeTheBlankLine) {
  EXPECT_TRUE(parse_sse({"data: pending"}, /*finish=*/false).empty());
}

TEST(SseParser, FinishDispatchesALastEventWithoutBlankLine) {
  EXPECT_EQ(parse_sse({"data: one\n\ndata: last"}), (Events{{"", "one"}, {"", "last"}}));
  EXPECT_EQ(parse_sse({"data: last\r"}), (Events{{"", "last"}}));
  EXPECT_TRUE(parse_sse({"event: lonely\n"}).empty()) << "an event without data is not dispatched";
}

// ---- http helpers ----

TEST(RetryAfter, Seconds) {
  EXPECT_EQ(http::retry_after("0"), 0ms);
  EXPECT_EQ(http::retry_after("5"), 5000ms);
  EXPECT_EQ(http::retry_after(" 2 "), 2000ms);
  EXPECT_EQ(http::retry_after("1.5"), 1500ms);
}

TEST(RetryAfter, HttpDate) {
  EXPECT_EQ(http::retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0ms) << "a date in the past: no wait";
  const std::time_t later = std::time(nullptr) + 120;
  std::tm tm{};
  gmtime_r(&later, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  const auto delay = http::retry_after(text);
  ASSERT_TRUE(delay.has_value()) << text;
  EXPECT_GE(*delay, 118000ms);
  EXPECT_LE(*delay, 121000ms);
}

TEST(RetryAfter, GarbageIsNothing) {
  EXPECT_EQ(http::retry_after(""), std::nullopt);
  EXPECT_EQ(http::retry_after("   "), std::nullopt);
  EXPECT_EQ(http::retry_after("soon"), std::nullopt);
  EXPECT_EQ(http::retry_after("."), std::nullopt);
}

TEST(Http, HostOfNeverShowsCredentials) {
  EXPECT_EQ(http::host_of("http://127.0.0.1:8080/v1"), "127.0.0.1:8080");
  EXPECT_EQ(http::host_of("https://api.openai.com/v1/chat/completions?x=1"), "api.openai.com");
  EXPECT_EQ(http::host_of("https://user:secret@proxy.example:3128/v1"), "proxy.example:3128");
}

TEST(Transport, JoinUrl) {
  EXPECT_EQ(join_url("http://h/v1", "/chat/completions"), "http://h/v1/chat/completions");
  EXPECT_EQ(join_url("http://h/v1/", "/chat/completions"), "http://h/v1/chat/completions");
  EXPECT_EQ(join_url("http://h/v1//", "chat"), "http://h/v1/chat");
}

TEST(Transport, ArgumentsObject) {
  EXPECT_EQ(arguments_object(R"({"a": 1})"), json({{"a", 1}}));
  EXPECT_EQ(arguments_object(""), json::object());
  EXPECT_EQ(arguments_object("  "), json::object());
  EXPECT_EQ(arguments_object("[1]"), json({{"_raw", "[1]"}}));
  EXPECT_EQ(arguments_object("{broken"), json({{"_raw", "{broken"}}));
}

TEST(Transport, MakeProviderUnknown) {
  ProviderConfig config;
  config.provider = "llama";
  auto provider = make_provider(config);
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(provider.error().message.find("openai, gemini, anthropic"), std::string::npos) << provider.error().message;
}

// ---- the retry loop, through the OpenAI provider ----

std::string openai_plain(const std::string& text) {
  return json{{"id", "chatcmpl-1"},
              {"object", "chat.completion"},
              {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", text}}}, {"finish_reason", "stop"}}}},
              {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}}}}
      .dump();
}

ProviderConfig openai_config(const FakeHttpServer& server) {
  ProviderConfig config;
  config.provider = "openai";
  config.model = "gpt-4o-mini";
  config.base_url = server.url() + "/v1";
  config.api_key = k_key;
  config.timeout = 2s;
  config.backoff = 10ms;
  return config;
}

TEST(Transport, RetryAfterSecondsIsWaited) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    if (calls++ == 0) {
      auto response = HttpExchangeResponse::json(429, R"({"error": {"message": "slow down"}})");
      response.headers.emplace_back("Retry-After", "1");
      return response;
    }
    return HttpExchangeResponse::json(200, openai_plain("ok"));
  });
  std::vector<std::chrono::milliseconds> delays;
  CallOptions options;
  options.on_retry = [&](std::string_view, std::chrono::milliseconds delay) { delays.push_back(delay); };
  Stopwatch watch;
  auto reply = provider_for(openai_config(server))->chat(hello_request(), options);
  const double elapsed = watch.seconds();
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->attempts, 2);
  EXPECT_EQ(delays, std::vector<std::chrono::milliseconds>{1000ms});
  EXPECT_GE(elapsed, 0.95);
  EXPECT_LT(elapsed, 2.5);
}

// A reply too large to be a model's turn is cut off with an error, not read into memory without end.
TEST(Transport, AnOversizedReplyIsCutOff) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(200, std::string(17u << 20, 'x'));
  });
  auto config = openai_config(server);
  config.stream = false;
  config.timeout = 20s;
  auto reply = provider_for(config)->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(reply.error().message.find("larger than 16 MB"), std::string::npos) << reply.error().message;
}

// Retries share the caller's deadline (the investigation's time budget): no attempt or wait runs past it.
TEST(Transport, RetriesStopAtTheDeadline) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::json(503, R"({"error": {"message": "overloaded"}})");
    response.headers.emplace_back("Retry-After", "1");
    return response;
  });
  auto config = openai_config(server);
  config.max_attempts = 10;
  config.max_backoff = 5s;
  CallOptions options;
  options.deadline = std::chrono::steady_clock::now() + 1500ms;
  Stopwatch watch;
  auto reply = provider_for(config)->chat(hello_request(), options);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::timeout);
  EXPECT_NE(reply.error().message.find("no time left"), std::string::npos) << reply.error().message;
  EXPECT_LT(watch.seconds(), 2.0);
  EXPECT_LE(server.request_count(), 2u);
}

TEST(Transport, RetryAfterIsCappedByMaxBackoff) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    if (calls++ == 0) {
      auto response = HttpExchangeResponse::json(503, R"({"error": {"message": "busy"}})");
      response.headers.emplace_back("Retry-After", "3600");
      return response;
    }
    return HttpExchangeResponse::json(200, openai_plain("ok"));
  });
  auto config = openai_config(server);
  config.max_backoff = 50ms;
  std::vector<std::chrono::milliseconds> delays;
  CallOptions options;
  options.on_retry = [&](std::string_view, std::chrono::milliseconds delay) { delays.push_back(delay); };
  auto reply = provider_for(config)->chat(hello_request(), options);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(delays, std::vector<std::chrono::milliseconds>{50ms});
}

TEST(Transport, CancelDuringBackoff) {
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::json(429, R"({"error": {"message": "slow down"}})");
    response.headers.emplace_back("Retry-After", "20");
    return response;
  });
  std::atomic<bool> cancel{false};
  std::thread canceller;
  CallOptions options;
  options.cancel = &cancel;
  options.on_retry = [&](std::string_view, std::chrono::milliseconds delay) {
    EXPECT_EQ(delay, 20000ms);
    canceller = std::thread([&cancel] {
      std::this_thread::sleep_for(100ms);
      cancel = true;
    });
  };
  auto config = openai_config(server);
  config.max_backoff = 60s;
  Stopwatch watch;
  auto reply = provider_for(config)->chat(hello_request(), options);
  if (canceller.joinable()) canceller.join();
  ASSERT_FALSE(reply);
  EXPECT_TRUE(http::is_cancelled(reply.error())) << reply.error().message;
  EXPECT_LT(watch.seconds(), 1.5);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Transport, AlreadyCancelledSendsNothingUseful) {
  FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::json(200, openai_plain("ok")); });
  std::atomic<bool> cancel{true};
  CallOptions options;
  options.cancel = &cancel;
  auto reply = provider_for(openai_config(server))->chat(hello_request(), options);
  ASSERT_FALSE(reply);
  EXPECT_TRUE(http::is_cancelled(reply.error())) << reply.error().message;
}

TEST(Transport, PerCallTimeoutOverridesTheProvidersTimeout) {
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::json(200, openai_plain("late"));
    response.hang = 5s;
    return response;
  });
  auto config = openai_config(server);
  config.timeout = 10s;
  CallOptions options;
  options.timeout = 500ms;
  Stopwatch watch;
  auto reply = provider_for(config)->chat(hello_request(), options);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::timeout);
  EXPECT_LT(watch.seconds(), 2.0);
}

TEST(Transport, TimeoutCoversASlowStream) {
  // The timeout is for the whole exchange: a stream that trickles past it fails with what it had not finished.
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    HttpExchangeResponse response;
    response.headers = {{"Content-Type", "text/event-stream"}};
    for (int i = 0; i < 20; ++i)
      response.chunks.push_back("data: " + json{{"choices", {{{"index", 0}, {"delta", {{"content", "x"}}}}}}}.dump() + "\n\n");
    response.chunk_delay = 100ms;
    return response;
  });
  auto config = openai_config(server);
  config.timeout = 700ms;
  std::string seen;
  CallOptions options;
  options.on_text = [&](std::string_view text) { seen += text; };
  Stopwatch watch;
  auto reply = provider_for(config)->chat(hello_request(), options);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::timeout) << reply.error().message;
  EXPECT_LT(watch.seconds(), 2.0);
  EXPECT_FALSE(seen.empty()) << "the pieces that arrived were shown";
  EXPECT_EQ(server.request_count(), 1u) << "not retried once text was shown";
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);  // nobody listens there now
  return ntohs(address.sin_port);
}

TEST(Transport, ConnectionRefusedIsRetriedThenUnavailable) {
  ProviderConfig config;
  config.provider = "anthropic";
  config.model = "claude-sonnet-4-5";
  config.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
  config.api_key = k_key;
  config.timeout = 2s;
  config.backoff = 5ms;
  config.max_attempts = 3;
  int retries = 0;
  CallOptions options;
  options.on_retry = [&](std::string_view, std::chrono::milliseconds) { ++retries; };
  auto reply = provider_for(config)->chat(hello_request(), options);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::unavailable);
  EXPECT_NE(reply.error().message.find("anthropic"), std::string::npos) << reply.error().message;
  EXPECT_NE(reply.error().message.find("127.0.0.1"), std::string::npos) << reply.error().message;
  EXPECT_EQ(reply.error().message.find(k_key), std::string::npos);
  EXPECT_EQ(retries, 2);
}

TEST(Transport, BadGatewayWithAnHtmlBodyIsRetried) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    if (calls++ == 0) {
      // A proxy's page, not the API's JSON error.
      return HttpExchangeResponse::json(502, "<html>Bad gateway</html>");
    }
    return HttpExchangeResponse::json(200, openai_plain("ok"));
  });
  auto reply = provider_for(openai_config(server))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->attempts, 2);
}

// ---- resolve: flags > environment > cowork.yml ----

class EnvGuard {
 public:
  EnvGuard() {
    for (const char* name : k_names) {
      const char* value = std::getenv(name);
      m_saved.emplace_back(name, value == nullptr ? std::nullopt : std::optional<std::string>(value));
      ::unsetenv(name);
    }
  }
  ~EnvGuard() {
    for (const auto& [name, value] : m_saved) {
      if (value) ::setenv(name, value->c_str(), 1);
      else ::unsetenv(name);
    }
  }
  void set(const char* name, const std::string& value) const { ::setenv(name, value.c_str(), 1); }
  void unset(const char* name) const { ::unsetenv(name); }

 private:
  static constexpr const char* k_names[] = {
      "COWORK_LLM",           "COWORK_LLM_MODEL",      "COWORK_LLM_TIMEOUT",     "COWORK_LLM_MAX_STEPS",
      "COWORK_LLM_MAX_TOKENS", "COWORK_LLM_MAX_SECONDS", "OPENAI_API_KEY",         "OPENAI_BASE_URL",
      "GEMINI_API_KEY",       "GOOGLE_API_KEY",        "GOOGLE_GEMINI_BASE_URL", "ANTHROPIC_API_KEY",
      "ANTHROPIC_BASE_URL"};
  std::vector<std::pair<const char*, std::optional<std::string>>> m_saved;
};

TEST(Resolve, NothingConfiguredIsNoProvider) {
  EnvGuard env;
  cowork::testing::TempDir project;
  auto settings = resolve({}, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_FALSE(settings->has_value());
  Selection none;
  none.provider = "none";
  env.set("COWORK_LLM", "openai");
  env.set("OPENAI_API_KEY", "k");
  settings = resolve(none, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_FALSE(settings->has_value()) << "--llm none wins over the environment";
}

TEST(Resolve, FlagsBeatEnvironmentBeatCoworkYml) {
  EnvGuard env;
  cowork::testing::TempDir project;
  project.write("cowork.yml", "llm:\n  provider: anthropic\n  model: file-model\n  timeout: 30\n  max_steps: 3\n");
  env.set("OPENAI_API_KEY", "sk-openai");
  env.set("GEMINI_API_KEY", "sk-gemini");
  env.set("ANTHROPIC_API_KEY", "sk-anthropic");
  env.set("COWORK_LLM", "gemini");
  env.set("COWORK_LLM_MODEL", "env-model");
  env.set("COWORK_LLM_TIMEOUT", "20");

  Selection flags;
  flags.provider = "OpenAI";
  flags.model = "flag-model";
  flags.timeout_seconds = 10;
  auto settings = resolve(flags, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  auto config = (*settings)->provider;
  EXPECT_EQ(config.provider, "openai");
  EXPECT_EQ(config.model, "flag-model");
  EXPECT_EQ(config.timeout, 10000ms);
  EXPECT_EQ(config.api_key, "sk-openai");
  EXPECT_EQ(config.base_url, "https://api.openai.com/v1");
  EXPECT_EQ((*settings)->budget.max_steps, 3) << "from cowork.yml: nothing above it says otherwise";

  settings = resolve({}, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  config = (*settings)->provider;
  EXPECT_EQ(config.provider, "gemini");
  EXPECT_EQ(config.model, "env-model");
  EXPECT_EQ(config.timeout, 20000ms);
  EXPECT_EQ(config.api_key, "sk-gemini");

  env.unset("COWORK_LLM");
  env.unset("COWORK_LLM_MODEL");
  env.unset("COWORK_LLM_TIMEOUT");
  settings = resolve({}, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  config = (*settings)->provider;
  EXPECT_EQ(config.provider, "anthropic");
  EXPECT_EQ(config.model, "file-model");
  EXPECT_EQ(config.timeout, 30000ms);
  EXPECT_EQ(config.api_key, "sk-anthropic");
  EXPECT_EQ(config.base_url, "https://api.anthropic.com");
}

// A model named for one provider is not sent to another: cowork.yml's openai model does not follow --llm anthropic.
TEST(Resolve, AModelBelongsToTheProviderItWasWrittenFor) {
  EnvGuard env;
  cowork::testing::TempDir project;
  project.write("cowork.yml", "llm:\n  provider: openai\n  model: gpt-4o-mini\n  base_url: http://127.0.0.1:9/v1\n");
  env.set("ANTHROPIC_API_KEY", "sk-anthropic");
  env.set("COWORK_LLM", "gemini");
  env.set("COWORK_LLM_MODEL", "gemini-2.5-pro");
  Selection flags;
  flags.provider = "anthropic";
  auto settings = resolve(flags, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  EXPECT_EQ((*settings)->provider.model, "claude-sonnet-4-5");
  EXPECT_EQ((*settings)->provider.base_url, "https://api.anthropic.com");

  // The same file serves its own provider.
  env.unset("COWORK_LLM");
  env.unset("COWORK_LLM_MODEL");
  settings = resolve({}, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  EXPECT_EQ((*settings)->provider.model, "gpt-4o-mini");
  EXPECT_EQ((*settings)->provider.base_url, "http://127.0.0.1:9/v1");
}

// A cloned project's cowork.yml cannot send the user's key elsewhere: only a server on this machine is accepted.
TEST(Resolve, CoworkYmlCannotPointTheKeyAtARemoteHost) {
  EnvGuard env;
  cowork::testing::TempDir project;
  project.write("cowork.yml", "llm:\n  provider: anthropic\n  base_url: https://collector.example\n");
  env.set("ANTHROPIC_API_KEY", "sk-anthropic");
  auto settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("cowork.yml:3"), std::string::npos) << settings.error().message;
  EXPECT_NE(settings.error().message.find("ANTHROPIC_BASE_URL"), std::string::npos) << settings.error().message;
  EXPECT_EQ(settings.error().message.find("sk-anthropic"), std::string::npos);
  // The environment may name any endpoint.
  env.set("ANTHROPIC_BASE_URL", "https://gateway.example");
  settings = resolve({}, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ((*settings)->provider.base_url, "https://gateway.example");
  // Budgets must be whole numbers of steps and seconds.
  project.write("cowork.yml", "llm:\n  provider: anthropic\n  max_seconds: 0.5\n");
  settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("max_seconds"), std::string::npos) << settings.error().message;
}

TEST(Resolve, DefaultModelAndBudgetsFromTheEnvironment) {
  EnvGuard env;
  env.set("GOOGLE_API_KEY", "sk-google");  // Gemini's second key variable
  env.set("COWORK_LLM_MAX_STEPS", "5");
  env.set("COWORK_LLM_MAX_TOKENS", "1000");
  env.set("COWORK_LLM_MAX_SECONDS", "60");
  Selection selection;
  selection.provider = "gemini";
  auto settings = resolve(selection, {});
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  EXPECT_EQ((*settings)->provider.model, default_model("gemini"));
  EXPECT_FALSE((*settings)->provider.model.empty());
  EXPECT_EQ((*settings)->provider.api_key, "sk-google");
  EXPECT_EQ((*settings)->budget.max_steps, 5);
  EXPECT_EQ((*settings)->budget.max_tokens, 1000);
  EXPECT_EQ((*settings)->budget.max_wall, std::chrono::seconds(60));
}

TEST(Resolve, UnknownProviderListsTheChoices) {
  EnvGuard env;
  cowork::testing::TempDir project;
  Selection selection;
  selection.provider = "llama";
  auto settings = resolve(selection, project.path());
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(settings.error().message.find("'llama'"), std::string::npos) << settings.error().message;
  EXPECT_NE(settings.error().message.find("--llm"), std::string::npos) << settings.error().message;
  EXPECT_NE(settings.error().message.find("none, openai, gemini, anthropic"), std::string::npos)
      << settings.error().message;

  env.set("COWORK_LLM", "mistral");
  settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("COWORK_LLM"), std::string::npos) << settings.error().message;

  env.unset("COWORK_LLM");
  project.write("cowork.yml", "llm:\n  provider: cohere\n");
  settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("cowork.yml:2"), std::string::npos) << settings.error().message;
  EXPECT_NE(settings.error().message.find("'cohere'"), std::string::npos) << settings.error().message;
}

TEST(Resolve, MissingKeyForThePublicEndpointNamesTheVariable) {
  EnvGuard env;
  for (const auto& [provider, variable] : std::vector<std::pair<std::string, std::string>>{
           {"openai", "OPENAI_API_KEY"}, {"gemini", "GEMINI_API_KEY"}, {"anthropic", "ANTHROPIC_API_KEY"}}) {
    SCOPED_TRACE(provider);
    Selection selection;
    selection.provider = provider;
    auto settings = resolve(selection, {});
    ASSERT_FALSE(settings);
    EXPECT_EQ(settings.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(settings.error().message.find(variable), std::string::npos) << settings.error().message;
  }
}

TEST(Resolve, CustomBaseUrlNeedsNoKey) {
  EnvGuard env;
  env.set("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1");
  Selection selection;
  selection.provider = "openai";
  auto settings = resolve(selection, {});
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  EXPECT_EQ((*settings)->provider.base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ((*settings)->provider.api_key, "");

  cowork::testing::TempDir project;
  project.write("cowork.yml", "llm:\n  provider: anthropic\n  base_url: http://127.0.0.1:9999\n");
  settings = resolve({}, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  ASSERT_TRUE(settings->has_value());
  EXPECT_EQ((*settings)->provider.base_url, "http://127.0.0.1:9999");

  env.set("ANTHROPIC_BASE_URL", "ftp://nope");
  settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("http://"), std::string::npos) << settings.error().message;
}

TEST(Resolve, BadTimeoutNamesItsSource) {
  EnvGuard env;
  env.set("OPENAI_API_KEY", "k");
  cowork::testing::TempDir project;
  Selection selection;
  selection.provider = "openai";

  env.set("COWORK_LLM_TIMEOUT", "abc");
  auto settings = resolve(selection, project.path());
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(settings.error().message.find("COWORK_LLM_TIMEOUT"), std::string::npos) << settings.error().message;
  EXPECT_NE(settings.error().message.find("'abc'"), std::string::npos) << settings.error().message;

  env.set("COWORK_LLM_TIMEOUT", "0");
  EXPECT_FALSE(resolve(selection, project.path())) << "zero is not a timeout";
  env.set("COWORK_LLM_TIMEOUT", "10s");
  EXPECT_FALSE(resolve(selection, project.path())) << "trailing text is not a number";

  env.unset("COWORK_LLM_TIMEOUT");
  project.write("cowork.yml", "# settings\nllm:\n  provider: openai\n  timeout: soon\n");
  settings = resolve(selection, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("cowork.yml:4"), std::string::npos) << settings.error().message;
  EXPECT_NE(settings.error().message.find("llm.timeout"), std::string::npos) << settings.error().message;

  selection.timeout_seconds = -1;
  settings = resolve(selection, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("--llm-timeout"), std::string::npos) << settings.error().message;
}

TEST(Resolve, CoworkYmlProblemsNameFileAndLine) {
  EnvGuard env;
  cowork::testing::TempDir project;
  project.write("cowork.yml", "llm:\n  provider: openai\n  modle: gpt-4o\n");
  auto settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(settings.error().message.find("cowork.yml:3"), std::string::npos) << settings.error().message;
  EXPECT_NE(settings.error().message.find("'modle'"), std::string::npos) << settings.error().message;

  project.write("cowork.yml", "llm: openai\n");
  settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("cowork.yml:1"), std::string::npos) << settings.error().message;

  project.write("cowork.yml", "llm:\n  model: [a, b]\n");
  settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("cowork.yml:2"), std::string::npos) << settings.error().message;

  project.write("cowork.yml", "llm:\n  provider: openai\n   model: x\n  : [\n");
  settings = resolve({}, project.path());
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find("cowork.yml"), std::string::npos) << settings.error().message;

  project.write("cowork.yml", "other: 1\n");
  settings = resolve({}, project.path());
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_FALSE(settings->has_value()) << "no llm block: no provider";
}

// ---- the fake server itself ----

TEST(FakeHttpServer, RecordsRequestsAndAnswers) {
  FakeHttpServer server([](const HttpExchangeRequest& request) {
    auto response = HttpExchangeResponse::json(201, R"({"echo": )" + json(request.body).dump() + "}");
    response.headers.emplace_back("X-Test", "yes");
    return response;
  });
  http::Request request;
  request.url = server.url() + "/a/b?c=1";
  request.headers = {{"Content-Type", "application/json"}, {"X-Custom", "v"}};
  request.body = R"({"hello": "world"})";
  auto response = http::send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->header("x-test"), "yes");
  EXPECT_EQ(json::parse(response->body)["echo"], request.body);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/a/b?c=1");
  EXPECT_EQ(requests[0].path, "/a/b");
  EXPECT_EQ(requests[0].header("X-CUSTOM"), "v");
  EXPECT_EQ(requests[0].body, request.body);
}

TEST(FakeHttpServer, LargeBodyBothWays) {
  const std::string big(3 << 20, 'x');
  FakeHttpServer server([&](const HttpExchangeRequest& request) {
    return HttpExchangeResponse::json(200, std::to_string(request.body.size()) + big);
  });
  http::Request request;
  request.url = server.url() + "/big";
  request.body = big;
  auto response = http::send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, std::to_string(big.size()) + big);
}

TEST(FakeHttpServer, ChunksArriveApartInOrder) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::sse({{"", "one"}, {"named", "two\nlines"}, {"", "three"}});
  });
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> pieces;
  http::Request request;
  request.url = server.url() + "/sse";
  request.on_data = [&](std::string_view chunk) {
    pieces.emplace_back(std::string(chunk), std::chrono::steady_clock::now());
    return true;
  };
  // With a delay, each chunk is its own read.
  {
    FakeHttpServer slow([](const HttpExchangeRequest&) {
      auto response = HttpExchangeResponse::sse({{"", "one"}, {"", "two"}, {"", "three"}});
      response.chunk_delay = 60ms;
      return response;
    });
    request.url = slow.url() + "/sse";
    auto response = http::send(request);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->header("content-type"), "text/event-stream");
    ASSERT_EQ(pieces.size(), 3u);
    EXPECT_EQ(pieces[0].first, "data: one\n\n");
    EXPECT_EQ(pieces[2].first, "data: three\n\n");
    EXPECT_GE(pieces[2].second - pieces[0].second, 100ms);
  }
  std::string all;
  request.url = server.url() + "/sse";
  request.on_data = [&](std::string_view chunk) {
    all += chunk;
    return true;
  };
  ASSERT_TRUE(http::send(request));
  EXPECT_EQ(all, "data: one\n\nevent: named\ndata: two\ndata: lines\n\ndata: three\n\n");
}

TEST(FakeHttpServer, StopsPromptlyWhileAHandlerHangs) {
  std::optional<FakeHttpServer> server(std::in_place, [](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::json(200, "{}");
    response.hang = 30s;
    return response;
  });
  std::thread client([url = server->url()] {
    http::Request request;
    request.url = url + "/hang";
    request.timeout = 20s;
    auto response = http::send(request);
    EXPECT_FALSE(response && response->status == 200) << "no answer from a server that stopped";
  });
  while (server->request_count() == 0) std::this_thread::sleep_for(5ms);
  Stopwatch watch;
  server.reset();
  EXPECT_LT(watch.seconds(), 1.0);
  client.join();
}

TEST(FakeHttpServer, HandlerExceptionIs500) {
  FakeHttpServer server([](const HttpExchangeRequest&) -> HttpExchangeResponse { throw std::runtime_error("boom"); });
  http::Request request;
  request.url = server.url() + "/x";
  auto response = http::send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 500);
  EXPECT_NE(response->body.find("boom"), std::string::npos);
}

TEST(FakeHttpServer, ManyConcurrentClients) {
  FakeHttpServer server([](const HttpExchangeRequest& request) {
    auto response = HttpExchangeResponse::json(200, request.body);
    response.hang = 50ms;
    return response;
  });
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&, i] {
      http::Request request;
      request.url = server.url() + "/c";
      request.body = std::to_string(i);
      auto response = http::send(request);
      if (response && response->status == 200 && response->body == std::to_string(i)) ++ok;
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(server.request_count(), 8u);
}

}  // namespace
}  // namespace cowork::llm::test
