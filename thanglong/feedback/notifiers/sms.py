"""SMS through eSMS.vn's brandname gateway (ViHAT), customer-care messages (SmsType 2).

Published API: ``POST {base}/MainService.svc/json/SendMultipleMessage_V4_post_json/`` with a JSON body

    {"ApiKey": …, "SecretKey": …, "Phone": "84912345678", "Content": …, "Brandname": …,
     "SmsType": "2", "IsUnicode": "0", "Sandbox": "0", "RequestId": …}

answered by ``{"CodeResult": "100", "CountRegenerate": 0, "SMSID": …}`` on success, or another
``CodeResult`` with ``ErrorMessage`` (eSMS developer docs, "Send OTP/Customer care message" and
"Table of error codes"). ``RequestId`` is the outbox row's key, so a request retried after a time-out
is answered 124 ("duplicate RequestId") instead of sending a second SMS — we count that as sent.

Why eSMS: one JSON endpoint, a sandbox flag for staging, and request-id deduplication, which an outbox
with retries needs. Content is sent without diacritics (``IsUnicode=0``): brandname customer-care
templates are registered that way, and a Unicode SMS holds 70 characters instead of 160.

Settings: ``THANGLONG_SMS_API_BASE`` (default ``https://rest.esms.vn``), ``THANGLONG_SMS_API_KEY``,
``THANGLONG_SMS_SECRET_KEY``, ``THANGLONG_SMS_BRANDNAME``, ``THANGLONG_SMS_SANDBOX`` (default off).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from thanglong.feedback.notifiers import SMS, DeliveryError
from thanglong.feedback.notifiers.http import check_base_url, post_json

DEFAULT_API_BASE = "https://rest.esms.vn"
SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
CUSTOMER_CARE = "2"
SUCCESS = "100"
DUPLICATE_REQUEST = "124"
# Codes an operator can fix without changing the message (credentials, balance, IP allow-list):
# the outbox keeps retrying them with back-off. Every other refusal is about the message itself.
RETRYABLE_CODES = {"101", "102", "103", "140"}

_VN_MOBILE = re.compile(r"^84\d{9}$")


def normalise_phone(phone: str) -> str:
    """``0912 345 678`` / ``+84 912 345 678`` → ``84912345678`` (the form eSMS documents)."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    if not _VN_MOBILE.match(digits):
        raise DeliveryError("not a Vietnamese mobile number", permanent=True)
    return digits


@dataclass(frozen=True)
class EsmsGateway:
    api_key: str
    secret_key: str
    brandname: str
    base_url: str = DEFAULT_API_BASE
    sandbox: bool = False
    channel: str = SMS

    @classmethod
    def from_settings(cls) -> EsmsGateway:
        return cls(
            api_key=str(getattr(settings, "THANGLONG_SMS_API_KEY", "")),
            secret_key=str(getattr(settings, "THANGLONG_SMS_SECRET_KEY", "")),
            brandname=str(getattr(settings, "THANGLONG_SMS_BRANDNAME", "")),
            base_url=str(getattr(settings, "THANGLONG_SMS_API_BASE", "") or DEFAULT_API_BASE),
            sandbox=bool(getattr(settings, "THANGLONG_SMS_SANDBOX", False)),
        )

    def send(self, recipient: str, text: str, *, idempotency_key: str = "") -> str:
        if not (self.api_key and self.secret_key and self.brandname):
            # Not configured yet: keep the row pending so it goes out once the keys are set.
            raise DeliveryError("THANGLONG_SMS_API_KEY / _SECRET_KEY / _BRANDNAME are not set")
        base = check_base_url(self.base_url, "THANGLONG_SMS_API_BASE")
        body = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": normalise_phone(recipient),
            "Content": text,
            "Brandname": self.brandname,
            "SmsType": CUSTOMER_CARE,
            "IsUnicode": "0",
            "Sandbox": "1" if self.sandbox else "0",
        }
        if idempotency_key:
            body["RequestId"] = idempotency_key[:50]
        answer = post_json(base + SEND_PATH, body)
        code = str(answer.get("CodeResult", ""))
        if code in {SUCCESS, DUPLICATE_REQUEST}:
            return str(answer.get("SMSID", "") or idempotency_key)
        reason = f"eSMS {code or '?'}: {answer.get('ErrorMessage') or answer.get('error') or ''}".strip()
        raise DeliveryError(reason, permanent=code not in RETRYABLE_CODES)
