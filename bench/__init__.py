"""Ledenstem's load and timing harness (see bench/README.md)."""
