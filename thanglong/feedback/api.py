"""Feedback API (intake, status look-up): filled in by the intake work."""

from ninja import Router

router = Router(tags=["feedback"])
