"""LLM-as-a-judge for MT-Bench(-X): prompts, matches, verdicts, the client and the runner."""
