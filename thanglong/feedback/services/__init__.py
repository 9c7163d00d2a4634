"""State changes of the feedback domain. Other apps import from here, never the models directly."""

from thanglong.feedback.services.intake import IntakeError as IntakeError
from thanglong.feedback.services.intake import submit_report as submit_report
from thanglong.feedback.services.public import lookup as lookup
from thanglong.feedback.services.public import lookup_by_secret as lookup_by_secret
from thanglong.feedback.services.public import rate_report as rate_report
from thanglong.feedback.services.sla import due_at_for as due_at_for
from thanglong.feedback.services.tracking import next_tracking_code as next_tracking_code
