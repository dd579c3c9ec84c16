"""The domain models, one module per group of nouns (see DESIGN.md, Domain words)."""

from registrations.models.api import ApiToken, IdempotentRequest, WebhookDelivery, WebhookEndpoint
from registrations.models.attendance import Attendance, AttendanceStatus, OfflineMark
from registrations.models.audit import AuditEvent
from registrations.models.base import key_of, utcnow
from registrations.models.certificates import Certificate, CertificateStatus
from registrations.models.evaluations import (
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    ResponseSource,
)
from registrations.models.logins import Login, PageVersion
from registrations.models.messages import Message, MessageState
from registrations.models.people import Agency, AgencyKind, Participant, Role, User
from registrations.models.programme import (
    Material,
    Signatory,
    TimetableItem,
    Trainer,
    TrainerRole,
    timetable_item_trainer,
)
from registrations.models.questions import (
    QuestionKind,
    QuestionVisibility,
    RegistrationAnswer,
    RegistrationQuestion,
)
from registrations.models.registrations import LIVE_STATES, Registration, RegistrationState
from registrations.models.sessions import (
    Closure,
    DayPart,
    SessionDay,
    SessionKind,
    SessionQuota,
    SessionStatus,
    Theme,
    TrainingSession,
)

__all__ = [
    "ApiToken",
    "IdempotentRequest",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Closure",
    "Agency",
    "AgencyKind",
    "Attendance",
    "AttendanceStatus",
    "AuditEvent",
    "Certificate",
    "CertificateStatus",
    "DayPart",
    "EvaluationAnswer",
    "EvaluationQuestion",
    "EvaluationResponse",
    "LIVE_STATES",
    "Message",
    "OfflineMark",
    "MessageState",
    "Login",
    "Material",
    "Signatory",
    "TimetableItem",
    "Trainer",
    "TrainerRole",
    "timetable_item_trainer",
    "PageVersion",
    "Participant",
    "QuestionKind",
    "QuestionVisibility",
    "Registration",
    "RegistrationAnswer",
    "RegistrationQuestion",
    "RegistrationState",
    "ResponseSource",
    "Role",
    "SessionDay",
    "SessionKind",
    "SessionQuota",
    "SessionStatus",
    "Theme",
    "TrainingSession",
    "User",
    "key_of",
    "utcnow",
]
