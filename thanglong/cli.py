"""The ``thanglong`` console command: Django's manage.py with Thăng Long's commands listed first."""

from __future__ import annotations

import os
import sys

HELP = """Thăng Long — nền tảng chuyển đổi số Công an thành phố / digital platform for city police

Usage: thanglong <command> [options]

Everyday commands:
  serve              start the web server and the background worker (http://127.0.0.1:8000)
  demo               load the Hanoi demo data (idempotent; prints demo logins)
  import-divisions   load the 34 provinces / 3,321 wards and the pre-2025 units mapped onto them
  normalise-address  turn a free-text Vietnamese address into province + ward (old and 2025)
  working-days       add Vietnamese working days to a date (holidays and make-up days included)
  ask                ask the virtual assistant a question (--json prints the API's answer)
  import-procedures  import procedure pages of the national public-service portal
  triage             retrain / evaluate / run the automatic triage of citizens' reports
  feedback-sla       raise overdue / near-deadline alerts and retry pending notifications
  documents          digitised documents: import <dir>, consume (watched folder), reindex, sweep
  cameras            Camera AI: purge (retention), add-key (external systems), health, scale
  command-rollup     refresh the dashboard's daily rollup (--full nightly; --every N keeps running)
  command-reports    queue the periodic unit reports (PDF) of the last week/month/quarter (--email)
  camera-worker      read camera streams / video files, record plate and face events (--group G)
  sip-serve          answer SIP calls from a PBX / the carrier trunk with the callbot (UDP 5060)
  voice              callbot: purge (retention), say "text" -o out.wav, transcribe in.wav
  housekeeping       every retention purge: camera events, call recordings, alerts (--every N)
  migrate            create or upgrade the database
  db_worker          run a background-job worker (database backend)
  check --deploy     check production settings

Run `thanglong help` for every command, `thanglong help <command>` for one.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thanglong.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        sys.stdout.write(HELP)
        return 0
    from django.core.management import execute_from_command_line

    # `thanglong import-divisions` and `thanglong import_divisions` are the same command.
    if not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
