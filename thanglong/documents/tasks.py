"""Background jobs of document digitisation: one job per document, on the ``documents`` queue.

A job is idempotent (a document already finished is skipped) and never raises for bad input: the
failure is written on the record. OCR machines scale out by running more workers on this queue.
"""

from __future__ import annotations

from django_tasks import task


@task(queue_name="documents")
def process_document_task(document_id: int) -> str:
    from thanglong.documents.services import processing

    return processing.process_document(document_id)
