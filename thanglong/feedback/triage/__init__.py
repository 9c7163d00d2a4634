"""Automatic triage of citizens' reports: category, unit, priority, language, personal data, spam, duplicates.

Engines live here and never touch the database; :mod:`thanglong.feedback.services.triage` applies
their decisions, and :mod:`thanglong.feedback.triage.tasks` runs that after a report is committed.
"""

from thanglong.feedback.triage.engine import Analysis, TriageEngine, get_engine, reset_engines

__all__ = ["Analysis", "TriageEngine", "get_engine", "reset_engines"]
