"""Closed vocabularies shared by several features, with their French labels."""

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum as SAEnum
from wtforms import SelectChoice


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable label for forms and pages."""

    @classmethod
    def choices(cls):
        return [SelectChoice(m.value, m.label) for m in cls]

    @property
    def label(self):
        return self.labels()[self]

    @classmethod
    def labels(cls):
        raise NotImplementedError


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
    THEATRE = "theatre"
    DANCE = "dance"
    MUSIC = "music"
    CIRCUS = "circus"
    PUPPETRY = "puppetry"
    STREET_ARTS = "street_arts"
    STORYTELLING = "storytelling"
    MULTIDISCIPLINARY = "multidisciplinary"

    @classmethod
    def labels(cls):
        return {
            cls.THEATRE: _l("Théâtre"),
            cls.DANCE: _l("Danse"),
            cls.MUSIC: _l("Musique"),
            cls.CIRCUS: _l("Cirque"),
            cls.PUPPETRY: _l("Marionnette"),
            cls.STREET_ARTS: _l("Arts de la rue"),
            cls.STORYTELLING: _l("Conte"),
            cls.MULTIDISCIPLINARY: _l("Pluridisciplinaire"),
        }


class Audience(LabelledEnum):
    YOUNG = "young"
    ALL = "all"

    @classmethod
    def labels(cls):
        return {cls.YOUNG: _l("Jeune public"), cls.ALL: _l("Tout public")}


class Role(LabelledEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MEMBER = "member"

    @classmethod
    def labels(cls):
        return {
            cls.ADMIN: _l("Administration"),
            cls.COORDINATOR: _l("Coordination"),
            cls.MEMBER: _l("Membre d'une compagnie"),
        }
