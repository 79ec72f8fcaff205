"""The companies' travel: counted by the automatic assignment when asked, and shown across editions."""

from datetime import UTC, date, datetime

from crm.base.extensions import db
from crm.contacts.models import StructureType
from crm.showcase import editions
from crm.showcase.models import Assignment, ShowFormat, Slot
from tests import factories
from tests.conftest import post_form, sign_in, statement_counts

TOKEN = "/account/password"
# Communes (INSEE) and their road km (crm.territory.communes.distance_km)
BOURGES, ORLEANS, CHATEAUROUX = "18033", "45234", "36044"
VIERZON, TOURS, CHARTRES, MONTARGIS = "18279", "37261", "28085", "45208"
# Vierzon → Orléans 100, Tours → Bourges 174, Chartres → Orléans 88, Chartres → Châteauroux 237,
# Montargis → Orléans 81


def _place(net, name, commune, dept):
    venue = factories.structure(net, name=name, structure_type=StructureType.MUNICIPAL_THEATRE, is_venue=True)
    venue.commune_code, venue.departement_code = commune, dept
    return venue


def _company(net, name, commune, dept):
    company = factories.company(net, name=name)
    company.commune_code, company.departement_code = commune, dept
    return company


def _edition(net, name, day, venues, hosts=None, rotation=True):
    ed = factories.edition(net, name=name, starts_on=day, ends_on=day)
    ed.rotation = rotation
    editions.set_venues(ed, [v.id for v in venues], hosts or {})
    return ed


def _slot(ed, venue, hour):
    starts = datetime(ed.starts_on.year, ed.starts_on.month, ed.starts_on.day, hour, tzinfo=UTC)
    slot = Slot(
        edition_id=ed.id,
        venue_id=venue.id,
        format=ShowFormat.FULL,
        starts_at=starts,
        ends_at=starts.replace(hour=hour + 2),
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def _plays(ed, company, slot, cast=3):
    registration = factories.accepted(ed, company, factories.show(company), cast_size=cast)
    db.session.add(Assignment(slot_id=slot.id, registration_id=registration.id))
    db.session.flush()
    return registration


# --- the proposal --------------------------------------------------------------------------------


def test_counting_travel_a_lot_proposes_the_nearer_venue_and_says_the_km(app, client):
    net = factories.network()
    coordinator = factories.user(net=net)
    orleans = _place(net, "Théâtre d'Orléans", ORLEANS, "45")
    chateauroux = _place(net, "Salle de Châteauroux", CHATEAUROUX, "36")
    ed = _edition(net, "Rencontres", date(2027, 5, 10), [orleans, chateauroux], rotation=False)
    _plays(ed, _company(net, "Cie Montargis", MONTARGIS, "45"), _slot(ed, orleans, 9))  # saved: 2 × 81
    chartres = _company(net, "Cie Chartres", CHARTRES, "28")
    factories.accepted(ed, chartres, factories.show(chartres, title="Loin ou près"), cast_size=2)
    nowhere = factories.company(net, name="Cie sans commune")
    nowhere.commune_code = None
    factories.accepted(ed, nowhere, factories.show(nowhere, title="Quelque part"), cast_size=2)
    near, far = _slot(ed, orleans, 14), _slot(ed, chateauroux, 14)
    db.session.commit()
    sign_in(client, coordinator)

    page = client.get(f"/editions/{ed.id}/planning").get_data(as_text=True)
    assert 'name="travel" type="radio" value="a_lot"' in page and "Beaucoup" in page
    response = post_form(
        client, f"/editions/{ed.id}/auto-assign", {"travel": "a_lot"}, token_from=TOKEN, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Chartres → Orléans 2 × 88 (one car for two), the company without a commune counts none: 162 + 176.
    assert "Déplacements des compagnies\u202f: 338\u00a0km (plan actuel\u202f: 162\u00a0km)." in html
    assert "km inconnus pour 1 compagnie" in html
    assert "Trajets comptés\u202f: beaucoup." in html
    pairs = {r.company.name: s for r, s in _proposed(ed)}
    assert pairs == {"Cie Chartres": near.id, "Cie sans commune": far.id}


def _proposed(ed):
    from crm.showcase.models import PlanProposal, Registration

    proposal = db.session.query(PlanProposal).filter_by(edition_id=ed.id).one()
    return [(db.session.get(Registration, r), s) for r, s in proposal.plan]


def test_travel_must_be_one_of_the_choices(app, client):
    net = factories.network()
    coordinator = factories.user(net=net)
    ed = _edition(net, "Rencontres", date(2027, 5, 10), [], rotation=False)
    db.session.commit()
    sign_in(client, coordinator)
    response = post_form(
        client, f"/editions/{ed.id}/auto-assign", {"travel": "everything"}, token_from=TOKEN, follow_redirects=True
    )
    assert "Choisissez combien compter les trajets." in response.get_data(as_text=True)
