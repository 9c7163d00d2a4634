"""``thanglong triage retrain | evaluate | run <tracking code>``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LABELLED = Path(settings.BASE_DIR).parent / "bench" / "data" / "feedback_labelled.jsonl"
PAIRS = Path(settings.BASE_DIR).parent / "bench" / "data" / "feedback_duplicate_pairs.jsonl"


class Command(BaseCommand):
    help = "Automatic triage of reports: retrain the model, evaluate it, or triage one report again."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        retrain = sub.add_parser("retrain", help="train from the labelled file and officers' corrections")
        retrain.add_argument("--labelled", type=Path, default=LABELLED)
        retrain.add_argument("--pairs", type=Path, default=PAIRS)
        retrain.add_argument(
            "--output", type=Path, default=None, help="default: THANGLONG_MODEL_DIR/triage.npz"
        )
        retrain.add_argument("--include-test", action="store_true", help="also learn from the held-out split")
        retrain.add_argument("--no-corrections", action="store_true")
        evaluate = sub.add_parser("evaluate", help="score the model in use on the held-out split")
        evaluate.add_argument("--labelled", type=Path, default=LABELLED)
        run = sub.add_parser("run", help="triage one report again (officers' corrections are kept)")
        run.add_argument("code", help="tracking code, e.g. PA-2026-000123")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _retrain(self, options: dict[str, Any]) -> None:
        from thanglong.feedback.triage import reset_engines
        from thanglong.feedback.triage.embedders import get_embedder
        from thanglong.feedback.triage.engine import trained_model_path
        from thanglong.feedback.triage.training import correction_examples, load_labelled, load_pairs, train

        if not options["labelled"].is_file():
            raise CommandError(f"{options['labelled']} not found")
        examples = load_labelled(options["labelled"])
        corrections = [] if options["no_corrections"] else correction_examples()
        pairs = load_pairs(options["pairs"]) if options["pairs"].is_file() else []
        self.stdout.write(f"training on {len(examples)} labelled reports + {len(corrections)} corrections…")
        model = train([*examples, *corrections], pairs, get_embedder(), include_test=options["include_test"])
        output = options["output"] or trained_model_path()
        model.save(output)
        reset_engines()
        meta = model.meta
        self.stdout.write(
            f"wrote {output} ({output.stat().st_size // 1024} KB): threshold {model.threshold:.2f}, "
            f"temperature {model.temperature:.2f}, out-of-fold macro-F1 {meta['out_of_fold_macro_f1']:.3f}, "
            f"{meta['out_of_fold_auto_share']:.0%} decided automatically at "
            f"{meta['out_of_fold_auto_accuracy']:.1%} accuracy"
        )

    def _evaluate(self, options: dict[str, Any]) -> None:
        from thanglong.feedback.triage import get_engine
        from thanglong.feedback.triage.training import load_labelled, macro_f1

        test = [example for example in load_labelled(options["labelled"]) if example.split == "test"]
        if not test:
            raise CommandError("no test split in the labelled file")
        engine = get_engine()
        analyses = [engine.analyse(example.text) for example in test]
        gold = np.array([example.category for example in test])
        predicted = np.array([analysis.category for analysis in analyses])
        automatic = np.array([not analysis.needs_person for analysis in analyses])
        self.stdout.write(f"engine {analyses[0].engine}, {len(test)} held-out reports")
        self.stdout.write(
            f"macro-F1 {macro_f1(gold, predicted):.3f}, accuracy {(gold == predicted).mean():.3f}"
        )
        if automatic.any():
            self.stdout.write(
                f"decided automatically: {automatic.mean():.0%}, of which correct "
                f"{(gold == predicted)[automatic].mean():.1%}"
            )

    def _run(self, options: dict[str, Any]) -> None:
        from thanglong.feedback.models import Report
        from thanglong.feedback.services.triage import apply_triage

        report = Report.objects.filter(tracking_code=options["code"]).first()
        if report is None:
            raise CommandError(f"no report {options['code']}")
        report = apply_triage(report.pk, force=True)
        self.stdout.write(
            f"{report.tracking_code}: {report.category} ({report.category_confidence:.2f}), "
            f"unit {report.unit.code if report.unit else '-'}, priority {report.priority}, "
            f"{report.triage_state}, duplicate of {report.duplicate_of_id or '-'}"
        )
