"""G.711, RTP packets, the jitter buffer, SDP and SIP parsing: the pieces under the call."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from thanglong.voice.sip import g711, sdp
from thanglong.voice.sip import message as sip
from thanglong.voice.sip.audio import resample, rms_dbfs, tone
from thanglong.voice.sip.endpoint import authorization
from thanglong.voice.sip.rtp import JitterBuffer, RtpPacket, dtmf_payload, parse_dtmf, parse_packet

EVERY_SAMPLE = np.arange(-32768, 32768, dtype="<i2").tobytes()


def test_g711_matches_the_reference_implementation_for_every_sample() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")  # the C reference, still in Python 3.11/3.12
    assert g711.ulaw_encode(EVERY_SAMPLE) == audioop.lin2ulaw(EVERY_SAMPLE, 2)
    assert g711.alaw_encode(EVERY_SAMPLE) == audioop.lin2alaw(EVERY_SAMPLE, 2)
    codes = bytes(range(256))
    assert g711.ulaw_decode(codes) == audioop.ulaw2lin(codes, 2)
    assert g711.alaw_decode(codes) == audioop.alaw2lin(codes, 2)


def test_g711_round_trip_keeps_a_tone_within_the_quantisation_error() -> None:
    pcm = tone(1000.0, 0.1, level=0.5)
    original = np.frombuffer(pcm, dtype="<i2").astype(float)
    for encode, decode in ((g711.ulaw_encode, g711.ulaw_decode), (g711.alaw_encode, g711.alaw_decode)):
        back = np.frombuffer(decode(encode(pcm)), dtype="<i2").astype(float)
        snr = 10 * np.log10(np.sum(original**2) / np.sum((original - back) ** 2))
        assert snr > 30, snr
    assert g711.ulaw_encode(bytes(2)) == bytes([g711.ULAW_SILENCE])
    assert g711.alaw_encode(bytes(2)) == bytes([g711.ALAW_SILENCE])


def test_resampling_16k_to_8k_keeps_speech_band_and_removes_what_cannot_be_carried() -> None:
    in_band = resample(tone(1000.0, 0.5, rate=16000), 16000, 8000)
    assert len(in_band) == 8000  # 0.5 s × 8000 × 2 bytes
    assert rms_dbfs(in_band) > -15
    aliased = resample(tone(6000.0, 0.5, rate=16000), 16000, 8000)  # above 4 kHz: must not fold back
    assert rms_dbfs(aliased) < rms_dbfs(in_band) - 20


def test_rtp_packet_round_trip_and_garbage_is_not_a_packet() -> None:
    packet = RtpPacket(0, 65535, 4_294_967_200, 0xDEADBEEF, b"\xff" * 160, marker=True)
    parsed = parse_packet(packet.encode())
    assert parsed == packet
    assert parse_packet(b"") is None
    assert parse_packet(b"\x00" * 20) is None  # version 0
    assert parse_packet(b"\x80\xc8" + bytes(30)) is None  # RTCP sender report on the RTP port
    assert parse_packet(b"\x8f" + bytes(13)) is None  # 15 CSRCs announced, none there
    padded = bytearray(RtpPacket(8, 1, 2, 3, b"abcd").encode() + b"\x00\x00\x03")
    padded[0] |= 0x20
    assert parse_packet(bytes(padded)).payload == b"abcd"  # type: ignore[union-attr]


def test_dtmf_event_payload() -> None:
    assert parse_dtmf(dtmf_payload(11, end=True, duration=800)) == ("#", True)
    assert parse_dtmf(dtmf_payload(3, end=False, duration=160)) == ("3", False)
    assert parse_dtmf(b"\x40\x00\x00\xa0") is None  # event 64 is not a digit
    assert parse_dtmf(b"\x01") is None


def test_jitter_buffer_reorders_drops_duplicates_and_conceals_losses() -> None:
    buffer = JitterBuffer(depth=3)
    out: list[bytes | None] = []
    for sequence in (10, 12, 11, 11, 13):  # 12 before 11, 11 twice
        out += buffer.push(sequence, bytes([sequence]))
    assert out == [b"\x0a", b"\x0b", b"\x0c", b"\x0d"]
    assert buffer.late == 1
    out = []
    for sequence in (15, 16, 17):  # 14 never comes: after three later packets it is counted lost
        out += buffer.push(sequence, bytes([sequence]))
    assert out == [None, b"\x0f", b"\x10", b"\x11"]
    assert buffer.lost == 1
    assert buffer.push(5, b"old") == []  # far behind: late


def test_jitter_buffer_follows_sequence_wrap_and_flushes_after_waiting() -> None:
    buffer = JitterBuffer(depth=5)
    assert buffer.push(65534, b"a", now=0.0) == [b"a"]
    assert buffer.push(65535, b"b", now=0.02) == [b"b"]
    assert buffer.push(1, b"d", now=0.04) == []  # 0 missing, only one packet waits on it
    assert buffer.flush_stale(0.05) == []
    assert buffer.flush_stale(0.2) == [None, b"d"]
    assert buffer.push(2, b"e", now=0.21) == [b"e"]


OFFER = (
    "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 9 8 0 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"
)


def test_sdp_offer_answer_picks_the_first_g711_codec_in_the_offerers_order() -> None:
    offer = sdp.parse(OFFER)
    assert (offer.address, offer.port) == ("192.0.2.10", 4000)
    assert offer.codec() == (8, "PCMA")
    assert offer.telephone_event() == 101
    answer = sdp.parse(
        sdp.build(address="198.51.100.1", port=20000, codecs=[(8, "PCMA")], telephone_event=101)
    )
    assert answer.payloads == [8, 101] and answer.codec() == (8, "PCMA")
    assert sdp.parse(OFFER.replace("9 8 0 101", "9 101")).codec() is None  # G.722 only: no common codec
    with pytest.raises(sdp.SdpError):
        sdp.parse("v=0\r\nc=IN IP4 1.2.3.4\r\n")
    with pytest.raises(sdp.SdpError):
        sdp.parse(OFFER.replace("RTP/AVP", "RTP/SAVP"))


INVITE = (
    "INVITE sip:1022@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb\r\n"
    'f: "Nguyễn Văn An" <sip:0912345678@10.0.0.1>;tag=abc\r\n'
    "t: <sip:1022@127.0.0.1>\r\n"
    "i: call-1@10.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Subject: a folded\r\n  header\r\n"
    "c: application/sdp\r\n"
    "l: 4\r\n\r\nv=0\r\nextra"
)


def test_sip_parsing_expands_compact_headers_and_splits_via() -> None:
    message = sip.parse(INVITE.encode())
    assert message.method == "INVITE" and message.call_id == "call-1@10.0.0.1"
    assert message.get_all("via") == [
        "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa",
        "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb",
    ]
    assert message.from_tag == "abc" and message.to_tag == ""
    assert sip.user_of(sip.uri_of(message.get("from"))) == "0912345678"
    assert message.get("subject") == "a folded header"
    assert message.body == b"v=0\r"  # cut to Content-Length
    response = sip.parse(sip.response_to(message, 200, to_tag="xyz").encode())
    assert response.status == 200 and response.to_tag == "xyz" and len(response.get_all("via")) == 2


@pytest.mark.parametrize(
    "raw",
    [
        b"hello",
        b"INVITE sip:a SIP/2.0\r\nVia: x\r\n\r\n",  # no From/To/Call-ID/CSeq
        INVITE.replace("l: 4", "l: 400").encode(),  # body shorter than announced
        INVITE.replace("CSeq: 1 INVITE", "CSeq: one INVITE").encode(),
        INVITE.replace("CSeq: 1 INVITE", "CSeq: 1 BYE").encode(),
        INVITE.replace("Subject", "\x00Broken line without colon\r\nSubject").replace(":", "", 1).encode(),
        b"\xff\xfe" * 50 + b"\r\n\r\n",
    ],
)
def test_malformed_sip_is_refused(raw: bytes) -> None:
    with pytest.raises(sip.SipParseError):
        sip.parse(raw)


def test_digest_authorization_matches_rfc_2617_example() -> None:
    challenge = (
        'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    header = authorization(
        challenge,
        method="GET",
        uri="/dir/index.html",
        username="Mufasa",
        password="Circle Of Life",
        cnonce="0a4f113b",
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
