"""Slack glue for infrawork: settings, app factory, listeners, Block Kit builders, services, CLI."""
