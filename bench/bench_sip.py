"""SIP/RTP adapter: G.711 coding cost against the C reference, and RTP pacing under concurrent calls.

* G.711 µ-law encode + decode of one 20 ms packet (160 samples): numpy (ours) vs ``audioop`` (the C
  reference, deprecated; the baseline, measured in the same run).
* RTP pacing: N calls on loopback (our caller ↔ our agent, a silent test session); for each call the
  gaps between packets the caller receives over 5 s. Ideal is 20.0 ms; jitter is the spread.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
import warnings
from typing import Any

import numpy as np


def _codec_rows() -> list[list[Any]]:
    from thanglong.voice.sip import g711
    from thanglong.voice.sip.audio import tone

    frame = tone(440.0, 0.02)
    rounds = 20_000

    def timed(encode: Any, decode: Any) -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            decode(encode(frame))
        return (time.perf_counter() - start) / rounds * 1e6

    ours = timed(g711.ulaw_encode, g711.ulaw_decode)
    rows = [["G.711 µ-law encode+decode, 20 ms packet", "numpy (ours)", f"{ours:.1f} µs", ""]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import audioop
        except ImportError:
            return rows
    reference = timed(lambda pcm: audioop.lin2ulaw(pcm, 2), lambda data: audioop.ulaw2lin(data, 2))
    rows.append(
        ["G.711 µ-law encode+decode, 20 ms packet", "audioop (C, baseline)", f"{reference:.1f} µs", ""]
    )
    rows[0][3] = f"{ours / reference:.1f}× the baseline; {ours / 20000 * 100:.2f}% of a packet's 20 ms"
    return rows


class _Quiet:
    def __init__(self, call_id: str) -> None:
        self.call_id = call_id

    def start(self) -> list[Any]:
        return []

    def on_audio(self, pcm: bytes) -> list[Any]:
        return []

    def on_dtmf(self, digit: str) -> list[Any]:
        return []

    def on_tick(self, now: float) -> list[Any]:
        return []

    def on_hangup(self) -> None:
        pass


async def _pacing(calls: int, seconds: float = 5.0) -> dict[str, float]:
    from thanglong.voice.sip.agent import SipAgent, SipConfig
    from thanglong.voice.sip.uac import SipCaller

    agent = SipAgent(
        SipConfig(host="127.0.0.1", port=0, rtp_ports=(0, 0), max_calls=calls + 1),
        lambda i: _Quiet(i.call_id),
    )
    await agent.start()
    caller = await SipCaller.open()
    legs = await asyncio.gather(*(caller.call(("127.0.0.1", agent.local_port)) for _ in range(calls)))
    arrivals: list[list[float]] = [[] for _ in legs]
    for index, leg in enumerate(legs):
        assert leg.rtp is not None
        original = leg.rtp.datagram_received

        def spy(data: bytes, addr: tuple[str, int], original: Any = original, index: int = index) -> None:
            arrivals[index].append(time.perf_counter())
            original(data, addr)

        leg.rtp.datagram_received = spy  # type: ignore[method-assign]
    await asyncio.sleep(seconds)
    await asyncio.gather(*(leg.hang_up() for leg in legs))
    await agent.stop()
    caller.close()
    gaps = [1000 * (b - a) for times in arrivals for a, b in itertools.pairwise(times)]
    return {
        "packets": sum(len(times) for times in arrivals),
        "median_ms": statistics.median(gaps),
        "p99_ms": float(np.percentile(gaps, 99)),
        "max_ms": max(gaps),
        "jitter_ms": float(np.std(gaps)),
    }


def run() -> dict[str, Any]:
    import django

    django.setup()
    table: list[list[Any]] = [["measure", "variant", "result", "note"]]
    table += _codec_rows()
    results = {}
    for calls in (1, 10, 30):
        figures = asyncio.run(_pacing(calls))
        results[calls] = figures
        table.append(
            [
                f"RTP packet gap at the caller, {calls} concurrent call(s)",
                "median / p99 / max",
                f"{figures['median_ms']:.2f} / {figures['p99_ms']:.2f} / {figures['max_ms']:.2f} ms",
                f"σ {figures['jitter_ms']:.2f} ms over {figures['packets']} packets (ideal 20 ms)",
            ]
        )
    return {
        "table": table,
        "pacing": results,
        "notes": [
            "Loopback on this machine; both ends in one process and one event loop, so the caller's "
            "receive timing adds its own scheduling noise to the sender's.",
            "Shared machine: absolute figures are noisy; compare the codec with the same run's baseline.",
        ],
    }
