"""State changes and reads of calls: records, turns, recordings, who sees the caller's number."""

from __future__ import annotations

import struct
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from thanglong.core.models import AuditAction, Role
from thanglong.core.pii import mask_phone
from thanglong.core.roles import has_role
from thanglong.core.services import RequestContext, record_audit
from thanglong.voice.audio import wav_bytes
from thanglong.voice.models import Call, CallTurn, Outcome

VIEW_CALLER_PERMISSION = "voice.view_caller_number"
# A recording stops growing past this (a line left open for hours must not fill the disk).
MAX_RECORDING_SECONDS = 60 * 60


# --- records ---------------------------------------------------------------------------------------


def create_call(
    *, call_id: str, channel: str, caller_number: str = "", asr_engine: str = "", voice: str = ""
) -> Call:
    call, _ = Call.objects.get_or_create(
        call_id=call_id[:64],
        defaults={
            "channel": channel,
            "caller_number": caller_number[:32],
            "asr_engine": asr_engine,
            "voice": voice,
        },
    )
    return call


@transaction.atomic
def add_turn(
    call: Call,
    speaker: str,
    text: str = "",
    *,
    dtmf: str = "",
    intent: str = "",
    confidence: float | None = None,
    audio_ms: int = 0,
    latency_ms: int | None = None,
) -> CallTurn:
    Call.objects.select_for_update().filter(pk=call.pk).first()
    last = call.turns.aggregate(last=Max("seq"))["last"] or 0
    return CallTurn.objects.create(
        call=call,
        seq=last + 1,
        speaker=speaker,
        text=text[:5000],
        dtmf=dtmf[:32],
        intent=intent[:16],
        confidence=confidence,
        audio_ms=max(0, audio_ms),
        latency_ms=latency_ms,
    )


def update_call(call: Call, **fields: Any) -> Call:
    for name, value in fields.items():
        setattr(call, name, value)
    call.save(update_fields=list(fields))
    return call


def close_call(call: Call, outcome: str | None = None, detail: str = "") -> Call:
    """End the call record; an outcome already decided (transfer, report) is kept over "hang-up"."""
    call.refresh_from_db(fields=["outcome", "outcome_detail"])
    fields: dict[str, Any] = {"ended_at": call.ended_at or timezone.now()}
    if outcome and (call.outcome == Outcome.IN_PROGRESS or outcome not in (Outcome.HANGUP,)):
        fields["outcome"] = outcome
        if detail:
            fields["outcome_detail"] = detail[:255]
    elif call.outcome == Outcome.IN_PROGRESS:
        fields["outcome"] = Outcome.HANGUP
    return update_call(call, **fields)


# --- recordings --------------------------------------------------------------------------------------


def recordings_dir() -> Path:
    return Path(settings.THANGLONG_VOICE_RECORDINGS_DIR)


def recording_file(call: Call) -> Path | None:
    if not call.recording:
        return None
    path = (recordings_dir() / call.recording).resolve()
    if recordings_dir().resolve() not in path.parents:
        return None
    return path


def append_recording(call: Call, pcm: bytes, sample_rate: int) -> None:
    """Append audio to the call's WAV file (created on first use), keeping its header sizes right.

    Only called after the recording notice has been played. Audio at another rate than the
    recording's is resampled so the file stays one stream.
    """
    if not pcm:
        return
    from thanglong.voice.audio import resample

    if not call.recording:
        started = timezone.localtime(call.started_at or timezone.now())
        relative = f"{started:%Y/%m}/{call.call_id}.wav"
        path = recordings_dir() / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav_bytes(b"", sample_rate))
        update_call(call, recording=relative, recording_rate=sample_rate)
    if sample_rate != call.recording_rate:
        pcm = resample(pcm, sample_rate, call.recording_rate)
    if call.recording_seconds >= MAX_RECORDING_SECONDS:
        return
    target = recording_file(call)
    if target is None:
        return
    with target.open("r+b") as handle:
        handle.seek(0, 2)
        handle.write(pcm)
        size = handle.tell()
        handle.seek(4)
        handle.write(struct.pack("<I", size - 8))
        handle.seek(40)
        handle.write(struct.pack("<I", size - 44))
    seconds = (size - 44) / 2 / call.recording_rate
    Call.objects.filter(pk=call.pk).update(recording_seconds=seconds)
    call.recording_seconds = seconds


def purge_expired(now: Any = None) -> int:
    """Delete calls (and their recordings) older than the retention period; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.THANGLONG_VOICE_RETENTION_DAYS)
    expired = list(Call.objects.filter(started_at__lt=cutoff))
    for call in expired:
        path = recording_file(call)
        if path is not None and path.exists():
            path.unlink()
    Call.objects.filter(pk__in=[call.pk for call in expired]).delete()
    return len(expired)


# --- who sees what -------------------------------------------------------------------------------------


def can_see_caller_number(user: User | AnonymousUser | None) -> bool:
    """The assistant desk, the command centre, administrators and holders of the permission."""
    if user is None or not user.is_authenticated:
        return False
    if has_role(user, Role.ADMINISTRATOR, Role.COMMAND_CENTRE) or user.has_perm(VIEW_CALLER_PERMISSION):
        return True
    from thanglong.assistant.services import is_assistant_desk

    return is_assistant_desk(user)


def caller_number_for(user: User | AnonymousUser | None, call: Call) -> str:
    """The number as the list shows it: masked for everyone (the full one is a deliberate, logged read)."""
    return mask_phone(call.caller_number) if call.caller_number else ""


def read_call(
    user: User | AnonymousUser, call: Call, *, context: RequestContext | None = None
) -> dict[str, Any]:
    """A call with its number, transcript and recording for an entitled officer; the read is logged.

    Others get the call's outline (masked number, intent, outcome) and no transcript or audio.
    """
    if not can_see_caller_number(user):
        return {
            "call": call,
            "caller_number": caller_number_for(user, call),
            "turns": [],
            "entitled": False,
        }
    record_audit(
        actor=user,
        action=AuditAction.READ,
        object_type="voice.call",
        object_id=call.pk,
        object_repr=str(call),
        fields=["caller_number", "transcript", "recording"],
        context=context,
    )
    return {
        "call": call,
        "caller_number": call.caller_number,
        "turns": list(call.turns.all()),
        "entitled": True,
    }


def recording_for(user: User | AnonymousUser, call: Call, *, context: RequestContext | None = None) -> Path:
    if not can_see_caller_number(user):
        raise PermissionDenied("not entitled to call recordings")
    path = recording_file(call)
    if path is None or not path.exists():
        raise FileNotFoundError(call.call_id)
    record_audit(
        actor=user,
        action=AuditAction.READ,
        object_type="voice.call",
        object_id=call.pk,
        object_repr=str(call),
        fields=["recording"],
        reason="recording",
        context=context,
    )
    return path
