// The provider implementations, for the registry (provider.cpp). Internal to src/agent/llm.
#pragma once

#include <memory>

#include "agent/llm/provider.hpp"

namespace cowork::llm {

std::unique_ptr<Provider> make_openai(const ProviderConfig& config);
std::unique_ptr<Provider> make_gemini(const ProviderConfig& config);
std::unique_ptr<Provider> make_anthropic(const ProviderConfig& config);

}  // namespace cowork::llm
