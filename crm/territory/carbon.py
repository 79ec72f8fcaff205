"""Emission factors for travel, in kg CO₂e per kilometre, from ADEME's Base Carbone (via its public
figures on impactco2.fr, 2024). A network can change any of them (« Déplacements et carbone »)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

SOURCE = "ADEME, Base Carbone® (facteurs d'émission, 2024) — https://base-empreinte.ademe.fr"
# Seats a company's cast fills in each car when it travels by road, for the cars it needs.
SEATS_PER_CAR = 4


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    unit: str
    kg_per_km: float
    source: str


DEFAULTS = {
    factor.key: factor
    for factor in (
        Factor("car", _l("Voiture thermique (par véhicule)"), "kg CO₂e / véhicule·km", 0.218,
               "Base Carbone : voiture particulière, motorisation moyenne"),
        Factor("car_shared", _l("Voiture partagée (par passager)"), "kg CO₂e / passager·km", 0.109,
               "Base Carbone : voiture particulière, 2 occupants (0,218 ÷ 2)"),
        Factor("ter", _l("Train régional TER (par passager)"), "kg CO₂e / passager·km", 0.0248,
               "Base Carbone : TER, moyenne France"),
        Factor("tgv", _l("TGV (par passager)"), "kg CO₂e / passager·km", 0.00293,
               "Base Carbone : TGV, moyenne France"),
        Factor("van", _l("Camion utilitaire pour le décor (par véhicule)"), "kg CO₂e / véhicule·km", 0.276,
               "Base Carbone : véhicule utilitaire léger gazole, < 3,5 t"),
    )
}  # fmt: skip


def factors(overrides: dict[str, float] | None = None) -> dict[str, float]:
    """kg CO₂e per km by mode: the defaults, with a network's own values where it set them."""
    values = {key: factor.kg_per_km for key, factor in DEFAULTS.items()}
    values.update({k: v for k, v in (overrides or {}).items() if k in values and v is not None})
    return values


def cars_for(cast: int | None) -> int:
    """Cars a cast of `cast` people takes (at least one)."""
    people = max(cast or 1, 1)
    return -(-people // SEATS_PER_CAR)
