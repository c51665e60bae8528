"""What Rightsline says: rights explanations, helplines and settings, loaded from data files."""

from content.library import Library, load_library
from content.loader import ContentError, Fault
from content.schema import Action, Answer, Helpline, Kind, Source

__all__ = [
    "Action",
    "Answer",
    "ContentError",
    "Fault",
    "Helpline",
    "Kind",
    "Library",
    "Source",
    "load_library",
]
