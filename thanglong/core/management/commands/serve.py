"""`thanglong serve`: the web server (gunicorn + whitenoise) and a background worker, together.

One command for a district server or a laptop; a city deployment runs the two halves separately
(`gunicorn thanglong.wsgi` on web machines, `thanglong db_worker` / `rqworker` on worker machines).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def ensure_port_free(host: str, port: int) -> None:
    """Fail clearly when something already listens on ``host:port``.

    Each web worker binds its own ``SO_REUSEPORT`` socket (see ``handle``), and such sockets would
    quietly share the port with a second ``thanglong serve`` left running — perhaps on another database.
    A plain bind (no ``SO_REUSEPORT``) is refused by any listener, so it is the check."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart's TIME_WAIT is not a listener
        try:
            probe.bind(address)
        except OSError as error:
            message = _("Cổng %(bind)s đang được dùng (port in use): %(error)s")
            raise CommandError(message % {"bind": f"{host}:{port}", "error": error}) from error


class Command(BaseCommand):
    help = "Serve the web application and run a background worker alongside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true", help="serve the web application only")

    def _worker_command(self) -> list[str]:
        manage = [sys.executable, "-m", "thanglong.cli"]
        if settings.TASKS_BACKEND == "rq":
            # RQ must build django-tasks-rq's job class, which knows how to report the task's result.
            return [
                *manage,
                "rqworker",
                "default",
                "imports",
                "reports",
                "documents",
                "cameras",
                "--with-scheduler",
                "--job-class",
                "django_tasks_rq.Job",
            ]
        return [*manage, "db_worker", "--queue-name", "*", "--interval", "1", "--no-reload"]

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_port_free(options["host"], options["port"])
        call_command("collectstatic", interactive=False, verbosity=0)
        processes: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"] and settings.TASKS_BACKEND != "immediate":
            processes.append(subprocess.Popen(self._worker_command()))  # noqa: S603
            loops = [
                # Deadlines pass while nobody is looking: sweep for overdue reports every 5 minutes.
                ["feedback-sla", "--every", "300", "--enqueue"],
                # The dashboard's daily rollup: recent days every 5 minutes, everything and the periodic
                # unit reports once a night.
                ["command-rollup", "--every", "300"],
                # Every retention purge (camera events and images, call recordings, console alerts), daily.
                ["housekeeping", "--every", "86400"],
            ]
            if settings.THANGLONG_CONSUME_DIR:
                # Scanner output dropped in the consume folder is taken in every few seconds.
                loops.append(["documents", "consume", "--every", "5"])
            for loop in loops:
                processes.append(subprocess.Popen([sys.executable, "-m", "thanglong.cli", *loop]))  # noqa: S603
        bind = f"{options['host']}:{options['port']}"
        processes.append(
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "thanglong.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(options["web_workers"]),
                    "--threads",
                    str(options["threads"]),
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "10",
                    # One listening socket per worker, the kernel spreading new connections between them.
                    # With one shared socket a worker may accept every kept-alive connection of a burst
                    # (all 32 of a load test, or of a proxy's upstream pool) while the other sits idle:
                    # throughput then swung between 240 and 450 reports/s from one run to the next.
                    "--reuse-port",
                ]
            )
        )
        self.stdout.write(self.style.SUCCESS(f"Thăng Long is serving on http://{bind}/ (Ctrl+C to stop)"))

        def stop(*_: object) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                process.wait(timeout=15)
