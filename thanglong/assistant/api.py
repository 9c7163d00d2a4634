"""Assistant API (filled in by the channels work)."""

from ninja import Router

router = Router(tags=["assistant"])
