"""``thanglong camera-worker``: the analytics worker (implemented in thanglong.cameras.worker.command)."""

from thanglong.cameras.worker.command import Command

__all__ = ["Command"]
