"""Message templates: the default sequence, and rendering in Jinja's sandbox.

Coordinators write templates; a template sees only plain data (strings, numbers, lists, dicts) through
an immutable sandbox, so it cannot reach the application. The origin of the address and the way to
object (GDPR art. 14 and 21) are appended by the application to every message, whatever the template.
"""

from flask_babel import gettext as _
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from crm.base.errors import DomainError
from crm.followups.models import Action, Path, StepKind

_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)

MERGE_FIELDS = (
    "prenom, nom, edition, reseau, structure, vus (nombre de spectacles vus), rencontres (nombre de "
    "compagnies rencontrées en tête-à-tête), "
    "spectacles (pour chaque spectacle : titre, compagnie, video, contact_nom, contact_email, "
    "contact_telephone, lien_programmer, lien_dossier, lien_pas_cette_saison, vu, rencontre, "
    "rencontre_heure)"
)

_SHOWS_FR = (
    "{% for s in spectacles %}\n"
    "— {{ s.titre }}, {{ s.compagnie }}\n"
    "{% if s.rencontre %}  Rencontre en tête-à-tête{% if s.rencontre_heure %}, {{ s.rencontre_heure }}"
    "{% endif %}\n{% endif %}"
    "{% if s.video %}  Vidéo : {{ s.video }}\n{% endif %}"
    "{% if s.contact_email or s.contact_telephone %}"
    "  Contact : {{ s.contact_nom }} {{ s.contact_email }} {{ s.contact_telephone }}\n{% endif %}"
    "  Je souhaite le programmer : {{ s.lien_programmer }}\n"
    "  Envoyez-moi le dossier complet : {{ s.lien_dossier }}\n"
    "  Pas cette saison : {{ s.lien_pas_cette_saison }}\n"
    "{% endfor %}"
)

_SHOWS_EN = (
    "{% for s in spectacles %}\n"
    "— {{ s.titre }}, {{ s.compagnie }}\n"
    "{% if s.rencontre %}  One-to-one meeting{% if s.rencontre_heure %}, {{ s.rencontre_heure }}"
    "{% endif %}\n{% endif %}"
    "{% if s.video %}  Video: {{ s.video }}\n{% endif %}"
    "{% if s.contact_email or s.contact_telephone %}"
    "  Contact: {{ s.contact_nom }} {{ s.contact_email }} {{ s.contact_telephone }}\n{% endif %}"
    "  I'd like to book it: {{ s.lien_programmer }}\n"
    "  Send me the full file: {{ s.lien_dossier }}\n"
    "  Not this season: {{ s.lien_pas_cette_saison }}\n"
    "{% endfor %}"
)

DEFAULT_STEPS = [
    {
        "offset_days": 2,
        "kind": StepKind.MESSAGE,
        "path": Path.ATTENDED,
        "title": "Merci de votre venue (J+2)",
        "subject_fr": "{{ edition }} : {% if rencontres %}vos spectacles et vos rencontres"
        "{% else %}les spectacles que vous avez vus{% endif %}",
        "body_fr": "Bonjour {{ prenom }},\n\nMerci d'être venu·e à {{ edition }}. Voici "
        "{% if vus and rencontres %}les spectacles que vous avez vus et les compagnies rencontrées en "
        "tête-à-tête{% elif rencontres %}les compagnies rencontrées en tête-à-tête et leurs spectacles"
        "{% else %}les spectacles que vous avez vus{% endif %}, avec de quoi contacter chaque compagnie. "
        "Un clic suffit pour nous dire ce qui vous intéresse :\n"
        + _SHOWS_FR
        + "\nÀ bientôt,\nLa coordination de {{ reseau }}\n",
        "subject_en": "{{ edition }}: {% if rencontres %}your shows and meetings{% else %}the shows you saw"
        "{% endif %}",
        "body_en": "Hello {{ prenom }},\n\nThank you for coming to {{ edition }}. Here are "
        "{% if vus and rencontres %}the shows you saw and the companies you met one-to-one"
        "{% elif rencontres %}the companies you met one-to-one and their shows{% else %}the shows you saw"
        "{% endif %}, with each company's contact. One click tells us what interests you:\n"
        + _SHOWS_EN
        + "\nBest wishes,\nThe {{ reseau }} team\n",
    },
    {
        "offset_days": 2,
        "kind": StepKind.MESSAGE,
        "path": Path.MISSED,
        "title": "Vous nous avez manqué (J+2)",
        "subject_fr": "{{ edition }} : vous nous avez manqué",
        "body_fr": "Bonjour {{ prenom }},\n\nVous n'avez pas pu venir à {{ edition }} : voici les "
        "vidéos des spectacles, et de quoi joindre chaque compagnie.\n" + _SHOWS_FR + "\n"
        "À bientôt,\nLa coordination de {{ reseau }}\n",
        "subject_en": "{{ edition }}: we missed you",
        "body_en": "Hello {{ prenom }},\n\nYou could not come to {{ edition }}: here are the videos of "
        "the shows, and how to reach each company.\n" + _SHOWS_EN + "\nBest wishes,\nThe {{ reseau }} team\n",
    },
    {
        "offset_days": 10,
        "kind": StepKind.COMPANY_TASK,
        "path": Path.ATTENDED,
        "action": Action.CALL,
        "title": "Appeler pour recueillir son avis (J+10)",
    },
    {
        "offset_days": 30,
        "kind": StepKind.MESSAGE,
        "path": Path.ATTENDED,
        "title": "Relance (J+30)",
        "subject_fr": "{{ edition }} : un mot sur les spectacles ?",
        "body_fr": "Bonjour {{ prenom }},\n\nUn mois après {{ edition }}, un spectacle"
        "{% if rencontres %} ou une compagnie rencontrée{% endif %} a-t-il retenu votre attention ?\n"
        + _SHOWS_FR
        + "\nLa coordination de {{ reseau }}\n",
        "subject_en": "{{ edition }}: a word about the shows?",
        "body_en": "Hello {{ prenom }},\n\nA month after {{ edition }}, did a show"
        "{% if rencontres %} or a company you met{% endif %} catch your eye?\n"
        + _SHOWS_EN
        + "\nThe {{ reseau }} team\n",
    },
    {
        "offset_days": 30,
        "kind": StepKind.COORDINATION_TASK,
        "path": Path.ATTENDED,
        "action": Action.CALL,
        "title": "Appeler : aucune réponse au suivi (J+30)",
    },
    {
        "offset_days": 90,
        "kind": StepKind.COMPANY_TASK,
        "path": Path.ATTENDED,
        "action": Action.INVITE,
        "title": "Inviter à une représentation (J+90)",
    },
]


def sample_context() -> dict:
    """What a template is checked against when it is saved."""
    show = {
        "titre": "Titre",
        "compagnie": "Compagnie",
        "video": "https://example.org/video",
        "contact_nom": "Nom",
        "contact_email": "contact@example.org",
        "contact_telephone": "01 23 45 67 89",
        "lien_programmer": "https://example.org/1",
        "lien_dossier": "https://example.org/2",
        "lien_pas_cette_saison": "https://example.org/3",
        "vu": True,
        "rencontre": True,
        "rencontre_heure": "jeudi 4 mars à 14:20",
    }
    return {
        "prenom": "Prénom",
        "nom": "Nom",
        "edition": "Édition",
        "reseau": "Réseau",
        "structure": "Structure",
        "vus": 1,
        "rencontres": 1,
        "spectacles": [show],
    }


def render(source: str, context: dict) -> str:
    return _env.from_string(source).render(context)


def check(source: str | None, field: str) -> None:
    """Refuse a template that does not parse or uses an unknown field, with the reason, at its field."""
    if not source:
        return
    try:
        render(source, sample_context())
    except TemplateError as exc:
        raise DomainError(
            _("Ce modèle ne peut pas être utilisé : %(reason)s", reason=str(exc)), field=field
        ) from exc
