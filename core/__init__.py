"""infrawork's pure domain: quadrants, classification, phases, baselines, digests, schedules.

Nothing here imports Slack, SQLAlchemy, the clock or the environment.
"""
