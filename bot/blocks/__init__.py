"""Pure Block Kit builders: data in, slack_sdk block models out."""
