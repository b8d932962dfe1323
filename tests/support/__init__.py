"""Test support shared by tests and benchmarks: the fake Slack Web API and signed requests."""
