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
    assert '<option value="a_lot">Beaucoup</option>' in page
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
        client,
        f"/editions/{ed.id}/auto-assign",
        {"travel": "everything"},
        token_from=TOKEN,
        follow_redirects=True,
    )
    assert "Choisissez combien compter les trajets." in response.get_data(as_text=True)


# --- the rotation across editions ----------------------------------------------------------------


def _two_seasons(net):
    """2025: Vierzon's company hosts Bourges and plays at Orléans; Tours' company plays at Bourges.
    2026: Tours' company hosts Orléans and plays at Bourges; Vierzon's company plays at Orléans; a company
    without a commune plays at Bourges."""
    bourges = _place(net, "Théâtre de Bourges", BOURGES, "18")
    orleans = _place(net, "Théâtre d'Orléans", ORLEANS, "45")
    vierzon = _company(net, "Cie de Vierzon", VIERZON, "18")
    tours = _company(net, "Cie de Tours", TOURS, "37")
    first = _edition(net, "Vitrine 2025", date(2025, 3, 6), [bourges, orleans], {bourges.id: vierzon.id})
    _plays(first, vierzon, _slot(first, orleans, 10), cast=3)  # 2 × 100 km × 1 car
    _plays(first, tours, _slot(first, bourges, 10), cast=6)  # 2 × 174 km × 2 cars
    second = _edition(net, "Vitrine 2026", date(2026, 3, 5), [bourges, orleans], {orleans.id: tours.id})
    _plays(second, vierzon, _slot(second, orleans, 10), cast=4)  # 200
    _plays(second, vierzon, _slot(second, orleans, 15), cast=4)  # another slot, another round trip: 200
    _plays(second, tours, _slot(second, bourges, 10), cast=5)  # 696
    nowhere = factories.company(net, name="Cie sans commune")
    nowhere.commune_code = None
    _plays(second, nowhere, _slot(second, bourges, 15))
    db.session.commit()
    return first, second


def _row(html, name):
    return html.split(f">{name}</a>", 1)[1].split("</tr>", 1)[0]


def test_rotation_page_shows_who_hosted_where_each_played_and_the_km(app, client):
    net = factories.network()
    _two_seasons(net)
    sign_in(client, factories.user(net=net))
    html = client.get("/rotation").get_data(as_text=True)
    assert html.index("Vitrine 2025") < html.index("Vitrine 2026")  # oldest first
    vierzon = _row(html, "Cie de Vierzon")
    assert vierzon.count("Accueillante") == 1 and "Théâtre de Bourges" in vierzon
    assert vierzon.count("Joue à Théâtre d&#39;Orléans") == 2  # once a season, though twice in 2026
    assert "200\u00a0km" in vierzon and "400\u00a0km" in vierzon and "600\u00a0km" in vierzon
    assert "1 fois accueillante" in vierzon and "1 fois accueillie" in vierzon
    tours = _row(html, "Cie de Tours")
    assert "696\u00a0km" in tours and "1\u202f392\u00a0km" in tours
    assert "Accueillante</span> <small>Théâtre d&#39;Orléans" in tours
    assert "(incomplet)" in _row(html, "Cie sans commune")
    assert "km inconnus pour 1 compagnie" in html


def test_rotation_export_opens_in_french_excel(app, client):
    net = factories.network()
    _two_seasons(net)
    sign_in(client, factories.user(net=net))
    response = client.get("/rotation.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="rotation.csv"'
    text = response.data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Compagnie;Édition;Premier jour;Rôle")
    assert (
        "Cie de Tours;Vitrine 2026;2026-03-05;Accueillante;Théâtre d'Orléans;Théâtre de Bourges;696;" in lines
    )
    assert "Cie sans commune;Vitrine 2026;2026-03-05;Accueillie;;Théâtre de Bourges;0;oui" in lines
    assert len(lines) == 1 + 5


def test_rotation_page_sends_a_fixed_number_of_queries_and_shows_no_other_network(app, client):
    net, other = factories.network(), factories.network()
    _two_seasons(net)
    sign_in(client, factories.user(net=net))
    small = statement_counts(client, ["/rotation"])
    assert small == [6]  # the user, the latest editions, companies (count, page), where they played, hosts
    _two_seasons(other)  # another network's, with the same names: never shown
    for i in range(8):
        company, place = (
            _company(net, f"Cie en plus {i}", CHARTRES, "28"),
            _place(net, f"Lieu {i}", ORLEANS, "45"),
        )
        ed = _edition(net, f"Édition en plus {i}", date(2024, 1, 1 + i), [place])
        _plays(ed, company, _slot(ed, place, 10))
        _plays(ed, _company(net, f"Cie invitée {i}", TOURS, "37"), _slot(ed, place, 15))
    db.session.commit()
    assert statement_counts(client, ["/rotation"]) == small
    html = client.get("/rotation").get_data(as_text=True)
    assert html.count("Cie de Vierzon") == 1 and html.count("Théâtre de Bourges") == 4
    assert "Cie en plus 7" in html and "Cie en plus 3" not in html  # the six latest editions only
