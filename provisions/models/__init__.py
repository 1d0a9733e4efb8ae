"""Models, split by concept: the treaty text, the coalition statement, links, annotations."""

from .accounts import ApiToken, AuditEvent, Member
from .annotations import Annotation, Revision, Tag
from .enrolment import EnrolmentLink
from .languages import ProvisionText
from .links import ProvisionLink
from .outbox import OutboxMessage
from .statement import POINT_MODELS, Concern, Organisation, SafeguardDemand, Statement
from .states import Commitment, Confidence, Declaration, Party, Region, TreatyAction
from .translations import Translation
from .treaty import Article, Chapter, Provision, ProvisionVersion, TextVersion, Treaty

__all__ = [
    "Translation",
    "POINT_MODELS",
    "ApiToken",
    "AuditEvent",
    "Member",
    "Annotation",
    "EnrolmentLink",
    "Article",
    "Chapter",
    "Commitment",
    "Concern",
    "Confidence",
    "Declaration",
    "Organisation",
    "OutboxMessage",
    "Party",
    "Provision",
    "ProvisionLink",
    "ProvisionText",
    "ProvisionVersion",
    "Region",
    "Revision",
    "SafeguardDemand",
    "Statement",
    "Tag",
    "TextVersion",
    "TreatyAction",
    "Treaty",
]
