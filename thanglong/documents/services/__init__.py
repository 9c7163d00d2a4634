"""State changes of document digitisation. Other apps import from here, never the models directly."""

from thanglong.documents.services.archive import correct_field as correct_field
from thanglong.documents.services.archive import search_documents as search_documents
from thanglong.documents.services.intake import IntakeError as IntakeError
from thanglong.documents.services.intake import ingest as ingest
