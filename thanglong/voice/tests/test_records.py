"""Call records: masking of the caller's number, audit of full reads, recordings, retention, and the
browser demo's endpoints."""

from __future__ import annotations

import struct
import wave
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from thanglong.core.models import AuditEntry
from thanglong.voice import services
from thanglong.voice.audio import silence, wav_bytes
from thanglong.voice.contracts import TextToSpeech
from thanglong.voice.models import Call, CallChannel, Outcome, Speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(recordings: Any) -> Call:
    record = services.create_call(call_id="test-call-1", channel=CallChannel.SIP, caller_number="0912345678")
    services.add_turn(record, Speaker.BOT, "Xin chào")
    services.add_turn(record, Speaker.CALLER, "làm hộ chiếu", confidence=0.9, latency_ms=800)
    services.append_recording(record, silence(0.5, 8000), 8000)
    services.append_recording(record, silence(0.5, 16000), 16000)  # resampled into the 8 kHz file
    return record


def test_recording_is_a_valid_growing_wav(call: Call) -> None:
    path = services.recording_file(call)
    assert path is not None and path.exists()
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == 8000 and wav.getnframes() == 8000
    assert call.recording_seconds == pytest.approx(1.0)
    assert struct.unpack("<I", path.read_bytes()[40:44])[0] == 16000


def test_turns_are_numbered_in_order(call: Call) -> None:
    assert [(t.seq, t.speaker) for t in call.turns.all()] == [(1, "bot"), (2, "caller")]


def test_caller_number_masked_and_full_reads_audited(call: Call, hanoi_force: dict[str, Any]) -> None:
    officer, command = hanoi_force["canbo.caugiay"], hanoi_force["chihuy"]
    assert services.caller_number_for(officer, call) == "091****678"
    outline = services.read_call(officer, call)
    assert outline["caller_number"] == "091****678" and outline["turns"] == [] and not outline["entitled"]
    assert not AuditEntry.objects.filter(object_type="voice.call").exists()
    full = services.read_call(command, call)
    assert full["caller_number"] == "0912345678" and len(full["turns"]) == 2
    entry = AuditEntry.objects.get(object_type="voice.call")
    assert entry.actor == command and "caller_number" in entry.fields
    with pytest.raises(PermissionDenied):
        services.recording_for(officer, call)
    assert services.recording_for(command, call).exists()
    assert AuditEntry.objects.filter(object_type="voice.call", reason="recording").count() == 1


def test_console_pages(call: Call, hanoi_force: dict[str, Any], client: Client) -> None:
    client.force_login(hanoi_force["canbo.caugiay"])
    assert b"callbot-talk" in client.get(reverse("voice:demo")).content
    listing = client.get(reverse("voice:calls")).content.decode()
    assert "091****678" in listing and "0912345678" not in listing
    detail = client.get(reverse("voice:call", args=[call.pk])).content.decode()
    assert "0912345678" not in detail and "làm hộ chiếu" not in detail
    assert client.get(reverse("voice:recording", args=[call.pk])).status_code == 403
    client.force_login(hanoi_force["chihuy"])
    detail = client.get(reverse("voice:call", args=[call.pk])).content.decode()
    assert "0912345678" in detail and "làm hộ chiếu" in detail and "recording.wav" in detail
    audio = client.get(reverse("voice:recording", args=[call.pk]))
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"
    client.logout()
    assert client.get(reverse("voice:calls")).status_code == 302


def test_retention_deletes_old_calls_and_their_recordings(call: Call, settings: Any) -> None:
    settings.THANGLONG_VOICE_RETENTION_DAYS = 30
    path = services.recording_file(call)
    Call.objects.filter(pk=call.pk).update(started_at=timezone.now() - timedelta(days=31))
    fresh = services.create_call(call_id="test-call-2", channel=CallChannel.SIP)
    assert services.purge_expired() == 1
    assert path is not None and not path.exists()
    assert list(Call.objects.all()) == [fresh]


def test_close_keeps_a_decided_outcome(call: Call) -> None:
    services.update_call(call, outcome=Outcome.OFFICER)
    services.close_call(call, Outcome.HANGUP)
    call.refresh_from_db()
    assert call.outcome == Outcome.OFFICER and call.ended_at is not None


# --- the browser demo ---------------------------------------------------------------------------------


def test_demo_page_and_a_keypad_call(client: Client, tts: TextToSpeech, recordings: Any) -> None:
    page = client.get(reverse("callbot:demo"))
    assert page.status_code == 200 and b"callbot-talk" in page.content
    started = client.post(reverse("callbot:start"), {"voice": "south-male"}).json()
    assert started["actions"][0]["type"] == "play" and started["actions"][0]["audio"].startswith(
        "data:audio/wav"
    )
    call_id = started["session_id"]
    assert Call.objects.get(call_id=call_id).voice == "south-male"
    bad = client.post(reverse("callbot:dtmf", args=[call_id]), {"digit": "x"})
    assert bad.status_code == 422 and bad.json()["message_en"]
    menu = client.post(reverse("callbot:dtmf", args=[call_id]), {"digit": "#"}).json()
    assert "bấm phím 1" in " ".join(a.get("text", "") for a in menu["actions"])
    # An empty (silent) turn counts as silence: a re-prompt, not an error.
    silent = client.post(
        reverse("callbot:turn", args=[call_id]), {"audio": _upload(wav_bytes(silence(1.0, 16000), 16000))}
    ).json()
    assert silent["actions"] and not silent["ended"]
    broken = client.post(reverse("callbot:turn", args=[call_id]), {"audio": _upload(b"RIFF....not audio")})
    assert broken.status_code == 422 and broken.json()["fields"][0]["field"] == "audio"
    done = client.post(reverse("callbot:dtmf", args=[call_id]), {"digit": "0"}).json()
    assert done["ended"] and done["actions"][-1] == {
        "type": "transfer",
        "queue": "officer",
        "reason": "caller pressed 0",
    }
    # An ended call, or another browser's call, cannot be driven.
    assert client.post(reverse("callbot:dtmf", args=[call_id]), {"digit": "1"}).status_code == 404
    other = Client()
    assert other.post(reverse("callbot:hangup", args=[call_id])).status_code == 404


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("turn.wav", data, content_type="audio/wav")


def test_demo_calls(tts: TextToSpeech, vietasr: Any, recordings: Any, catalogue: list[str]) -> None:
    from thanglong.voice import demo

    lines: list[str] = []
    assert len(demo.load(lines.append)) == 3
    outcomes = {call.caller_number: call for call in Call.objects.all()}
    assert outcomes["0912000222"].outcome == Outcome.ANSWERED
    filed = outcomes["0987000333"]
    assert filed.outcome == Outcome.REPORT_FILED and filed.report_tracking_code.startswith("PA-")
    assert outcomes["0903000444"].outcome == Outcome.OFFICER
    assert all(call.ended_at for call in outcomes.values())
    assert demo.load(lines.append) == [] and "already there" in lines[-1]
