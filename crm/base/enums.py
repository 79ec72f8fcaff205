"""Closed vocabularies shared by several features, with their French labels."""

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum as SAEnum
from wtforms import SelectChoice


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry their translatable label: `DRAFT = "draft", _l("Brouillon")`."""

    def __new__(cls, value, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @classmethod
    def choices(cls):
        return [SelectChoice(m.value, m.label) for m in cls]

    @property
    def label(self):
        return self._label if self._label is not None else self.value


def enum_column(enum_cls, length=30):
    """Portable enum storage: a VARCHAR holding the member's value, same on SQLite and PostgreSQL."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class Discipline(LabelledEnum):
    THEATRE = "theatre", _l("Théâtre")
    DANCE = "dance", _l("Danse")
    MUSIC = "music", _l("Musique")
    CIRCUS = "circus", _l("Cirque")
    PUPPETRY = "puppetry", _l("Marionnette")
    STREET_ARTS = "street_arts", _l("Arts de la rue")
    STORYTELLING = "storytelling", _l("Conte")
    MULTIDISCIPLINARY = "multidisciplinary", _l("Pluridisciplinaire")


class Audience(LabelledEnum):
    YOUNG = "young", _l("Jeune public")
    ALL = "all", _l("Tout public")


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administration")
    COORDINATOR = "coordinator", _l("Coordination")
    MEMBER = "member", _l("Membre d'une compagnie")
    # Belongs to no network: reads the barometer of the networks that share their figures, nothing else.
    FEDERATION = "federation", _l("Fédération")
