"""`thanglong demo`: load the Hanoi demo data (idempotent) and print the demo logins."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from thanglong.core.demo import DemoLogin


class Command(BaseCommand):
    help = "Load the Hanoi demo data (units, officers, sample data of every app). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["demo", "city"],
            default="demo",
            help="city: also generate city-scale reports for dashboards and benchmarks",
        )
        parser.add_argument(
            "--reports",
            type=int,
            default=None,
            help="with --scale city: how many reports (default 1,000,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logins: list[DemoLogin] = []
        for config in apps.get_app_configs():
            if not config.name.startswith("thanglong."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            self.stdout.write(f"{config.verbose_name}:")
            result = module.load(self.stdout.write)
            # Loaders may return what they created; only demo accounts are printed below.
            logins.extend(item for item in result or [] if isinstance(item, DemoLogin))
        password = settings.THANGLONG["DEMO_PASSWORD"]
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS("Demo logins (tài khoản thử) — password / mật khẩu: " + password)
        )
        width = max((len(login.username) for login in logins), default=10)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role:<15} {login.unit}")
        self.stdout.write("Every ward station also has lanhdao.<ward> and canbo.<ward> (e.g. canbo.caugiay).")
        if options.get("scale") == "city":
            from thanglong.command import scale

            scale.generate(options.get("reports") or scale.CITY_REPORTS, out=self.stdout.write)
