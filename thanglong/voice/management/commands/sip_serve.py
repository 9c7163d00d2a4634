"""``thanglong sip-serve``: answer SIP calls from a PBX or the carrier trunk with the callbot."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thanglong.config import ConfigError


class Command(BaseCommand):
    help = "Answer SIP calls (UDP) with the callbot; Ctrl-C or SIGTERM hangs up politely and stops."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help="address to bind (THANGLONG_SIP_HOST)")
        parser.add_argument("--port", type=int, help="UDP port (THANGLONG_SIP_PORT)")
        parser.add_argument("--advertised-host", help="address given to the PBX in Contact/SDP")
        parser.add_argument("--rtp-ports", help="RTP port range, e.g. 20000-20999")
        parser.add_argument(
            "--no-warm-up",
            action="store_true",
            help="take calls at once; the first call then waits for the speech models to load",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from thanglong.voice.sip import session as wiring
        from thanglong.voice.sip.agent import SipAgent

        try:
            config = wiring.config_from_settings(
                host=options.get("host"),
                port=options.get("port"),
                advertised_host=options.get("advertised_host"),
                rtp_ports=wiring.parse_port_range(options["rtp_ports"]) if options.get("rtp_ports") else None,
            )
            factory = wiring.session_factory()
        except (ConfigError, ImportError) as error:
            raise CommandError(str(error)) from error
        log = logging.getLogger("thanglong.voice.sip")
        if not log.handlers and not logging.getLogger().handlers:
            handler = logging.StreamHandler(self.stdout)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(handler)
        log.setLevel(logging.INFO)
        if not options.get("no_warm_up"):
            # Before the port opens: a call that arrives meanwhile is retried by the PBX, and the
            # first caller does not wait seconds for the recogniser to load in the middle of a turn.
            from thanglong.voice.engines import warm_up

            took = warm_up()
            self.stdout.write(
                "SIP: engines ready ("
                + (", ".join(f"{name} {seconds:.1f} s" for name, seconds in took.items()) or "none loaded")
                + ")"
            )
        agent = SipAgent(config, factory, announcer=wiring.speak)

        async def serve() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            try:
                await agent.start()
            except OSError as error:
                raise CommandError(f"cannot bind udp {config.host}:{config.port}: {error}") from error
            self.stdout.write(
                f"SIP: listening on udp {config.host}:{agent.local_port} "
                f"(RTP {config.rtp_ports[0]}-{config.rtp_ports[1]}); Ctrl-C stops"
            )
            await stop.wait()
            self.stdout.write(f"SIP: stopping, hanging up {len(agent.calls)} call(s)")
            await agent.stop()

        asyncio.run(serve())
        self.stdout.write("SIP: stopped")
