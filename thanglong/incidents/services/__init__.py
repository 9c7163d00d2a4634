"""State changes of 113/114 incidents. Other apps call these (the callbot: ``open_from_call``)."""

from thanglong.incidents.services.intake import (
    IncidentError,
    locate,
    open_from_call,
    open_from_channel,
    open_incident,
)
from thanglong.incidents.services.workflow import (
    add_note,
    append_transcript,
    arrive,
    close,
    dispatch,
    hand_off_to_feedback,
)

__all__ = [
    "IncidentError",
    "add_note",
    "append_transcript",
    "arrive",
    "close",
    "dispatch",
    "hand_off_to_feedback",
    "locate",
    "open_from_call",
    "open_from_channel",
    "open_incident",
]
