"""The answer layer: generate model answers to MT-Bench-X questions (transformers, vLLM,
OpenAI-compatible backends) into FastChat's ``model_answer`` files."""
