"""The federation's barometer: consent per network and per kind of figure, from a date; withdrawal;
small-number suppression that no subtraction undoes; the federation account sees the barometer only; the
public version opens only with every network's second consent; exports; bounded statements."""

import csv
import io
import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.checkin.models import Attendance
from crm.federation import barometer, figures, jobs, services, snapshots
from crm.federation.models import BarometerConsent, BarometerFigures
from crm.impact import travel
from crm.impact.models import EditionFootprint, Outcome, OutcomeDate, OutcomeKind, OutcomeStatus
from crm.showcase.models import EditionStatus, Slot
from tests import factories
from tests.conftest import post_form, sign_in
from tests.scene import on_stage

TODAY = date(2027, 6, 1)
ALL = {c.value: True for c in barometer.Category}


def _held(network, venue, *, companies, people, bookings, departement="45", starts_on=date(2027, 3, 4)):
    """A held edition of the network: `companies` on stage, `people` checked in, the first `bookings`
    companies each with one confirmed booking of two dates in the département, 1,000 € a date."""
    edition = factories.edition(network, name=f"Temps fort {next(_n)}", starts_on=starts_on,
                                ends_on=starts_on.replace(day=starts_on.day + 1))  # fmt: skip
    edition.status = EditionStatus.HELD
    coordinator = factories.user(Role.COORDINATOR, net=network)
    slots, made = [], []
    for i in range(companies):
        company = factories.company(network, name=f"Compagnie {network.slug} {next(_n)}")
        company.departement_code = departement
        show = factories.show(company)
        slots.append(on_stage(edition, venue, company, show, 9 + i))
        made.append((company, show))
    edition.people = [factories.programmer(network, coordinator, venue) for _ in range(people)]
    for person in edition.people:
        db.session.add(Attendance(slot_id=slots[0].id, programmer_id=person.id))
    for company, show in made[:bookings]:
        outcome = Outcome(network_id=network.id, company_id=company.id, show_id=show.id,
                          edition_id=edition.id, kind=OutcomeKind.PERFORMANCES,
                          status=OutcomeStatus.CONFIRMED,
                          fee_per_performance=Decimal("1000"), decided_on=date(2027, 4, 4),
                          currency="EUR")  # fmt: skip
        outcome.dates = [OutcomeDate(on=date(2027, 5, d), departement_code=departement) for d in (10, 11)]
        db.session.add(outcome)
    db.session.commit()
    return edition


_n = iter(range(1, 10_000))


def _share(network, user, **chosen):
    data = {**ALL, "since": date(2026, 1, 1), "public": False, **chosen}
    services.give(network, data, user=user)
    db.session.commit()


@pytest.fixture
def federation(world):
    """Three networks: A and B share everything, C shares nothing. A: 4 companies, 5 people, 3 bookings
    in Loiret; B: 3 companies, 4 people, 2 bookings (under the threshold) in Cher; C: plenty."""
    a, b = world.a, world.b
    c = factories._network_world("C")
    db.session.commit()
    held = {
        "a": _held(a.network, a.venue, companies=4, people=5, bookings=3, departement="45"),
        "b": _held(b.network, b.venue, companies=3, people=4, bookings=2, departement="18"),
        "c": _held(c.network, c.venue, companies=6, people=9, bookings=6, departement="37"),
    }
    _share(a.network, a.coordinator)
    _share(b.network, b.coordinator)
    account = factories.user(Role.FEDERATION, email="federation@example.org")
    db.session.commit()
    return SimpleNamespace(world=world, a=a, b=b, c=c, account=account, held=held)


def _compute(**kwargs):
    return barometer.compute(today=TODAY, **kwargs)


def test_the_two_sharing_networks_side_by_side_and_in_total_never_the_third(app, federation):
    with app.test_request_context():
        found = _compute()
    f = federation
    assert found.year == 2027
    assert [n.name for n in found.networks] == ["Réseau A", "Réseau B"]
    a, b = f.a.network.id, f.b.network.id
    companies = found.row("companies")
    # with the company on stage in each world's published programme of March 2027
    assert (companies.cells[a].value, companies.cells[b].value, companies.total.value) == (5, 4, 9)
    assert found.row("editions").total.value == 4
    present = found.row("present")
    assert (present.cells[a].value, present.cells[b].value, present.total.value) == (5, 4, 9)
    bookings = found.row("bookings")
    assert bookings.cells[a].value == 3 and bookings.cells[b].state == "small"
    performances, fees = found.row("performances"), found.row("fees")
    assert (performances.cells[a].value, performances.total.value) == (6, 6)
    assert (fees.cells[a].value, fees.total.value) == (Decimal("6000.00"), Decimal("6000.00"))
    assert found.row("median_days").cells[a].value == 30.0  # 5 March → 4 April
    assert found.row("departements").cells[a].value == 1
    # C's figures are in no cell and no total: 6 companies and 9 people would show
    assert f.c.network.id not in companies.cells
    assert all(f.c.network.id not in row.cells for row in found.rows)


def test_a_suppressed_cell_cannot_be_recovered_from_the_totals(app, federation):
    """B's bookings rest on 2 companies: hidden. The attacker subtracts the shown cells from the total, in
    every row and in the map; none gives B's figure back."""
    f = federation
    b = f.b.network.id
    with app.test_request_context():
        found = _compute()
    hidden_rows = [row for row in found.rows if row.cells[b].state == "small"]
    assert {row.metric.key for row in hidden_rows} >= {"bookings", "performances", "fees", "departements"}
    truth = {"bookings": 2, "performances": 4, "fees": Decimal("4000.00"), "departements": 1}
    for row in hidden_rows:
        if row.metric.total != barometer.SUM or row.total.state != "shown":
            continue
        recovered = row.total.value - sum(c.value for c in row.cells.values() if c.shown)
        assert recovered == 0, row.metric.key  # the total adds up the shown cells only
        if row.metric.key in truth:
            assert recovered != truth[row.metric.key]
        assert row.partial  # and says so
    # the map: B is left out altogether (its territory figure is hidden); Loiret alone is A's 6 dates
    assert {g.label: g.count for g in found.map_groups} == {"45": 6}
    assert found.map_total == sum(g.count for g in found.map_groups if g.count is not None)
    # Withdrawing B changes no figure that is shown: its hidden cells had counted nowhere
    with app.test_request_context():
        services.withdraw(f.b.network, user=f.b.coordinator)
        db.session.commit()
        after = _compute()
    for key in ("bookings", "performances", "fees"):
        assert after.row(key).total.value == found.row(key).total.value


def test_the_map_hides_a_second_departement_when_one_alone_is_hidden(app, federation):
    """A plays in Loiret (3 companies) and, with one company, in Indre and Cher: Indre hidden (1 company);
    had Cher been shown, map total − Loiret − Cher would be Indre's. So the smallest other is hidden."""
    f = federation
    with app.test_request_context():
        services.withdraw(f.b.network, user=f.b.coordinator)
        db.session.commit()
    extra = _held(f.a.network, f.a.venue, companies=3, people=3, bookings=3, departement="18")
    one = db.session.scalars(select(Outcome).where(Outcome.edition_id == extra.id)).first()
    one.dates.append(OutcomeDate(on=date(2027, 5, 20), departement_code="36"))
    db.session.commit()
    with app.test_request_context():
        found = _compute()
    groups = {g.label: g for g in found.map_groups}
    assert groups["45"].count == 6
    assert groups["36"].hidden == "small"
    assert groups["18"].hidden == "secondary"  # 6 dates, shown alone it would give Indre away
    shown = sum(g.count for g in found.map_groups if g.count is not None)
    assert found.map_total - shown == 6 + 1  # what is left: two départements together, neither alone


def test_kinds_not_shared_have_no_cell_and_count_in_no_total(app, federation):
    f = federation
    _share(f.a.network, f.a.coordinator, bookings=False, territory=False)
    with app.test_request_context():
        found = _compute()
    a = f.a.network.id
    assert found.row("bookings").cells[a].state == "not_shared"
    assert found.row("fees").total.state != "shown"  # B's is hidden, A's not shared: nothing to add
    assert found.row("companies").cells[a].value == 5  # activity still shared
    assert found.map_groups == []


def test_editions_before_the_chosen_date_stay_out(app, federation):
    f = federation
    _held(f.a.network, f.a.venue, companies=3, people=3, bookings=0, starts_on=date(2025, 10, 2))
    with app.test_request_context():
        assert _compute().years == [2027]
        _share(f.a.network, f.a.coordinator, since=date(2025, 1, 1))
        both = _compute(year=2025)
    assert both.years == [2027, 2025]
    assert both.row("companies").cells[f.a.network.id].value == 3
    assert both.row("companies").cells[f.b.network.id].state == "small"  # B had no edition that year


def test_new_and_returning_programmers(app, federation):
    f = federation
    earlier = _held(f.a.network, f.a.venue, companies=1, people=0, bookings=0, starts_on=date(2026, 3, 4))
    slot_id = db.session.scalar(select(Slot.id).where(Slot.edition_id == earlier.id))
    for person in f.held["a"].people[:3]:  # three of A's five people of 2027 had come in 2026
        db.session.add(Attendance(slot_id=slot_id, programmer_id=person.id))
    db.session.commit()
    with app.test_request_context():
        found = _compute(year=2027)
        before = _compute(year=2026)
    a = f.a.network.id
    assert found.row("returning").cells[a].value == 3
    assert found.row("new").cells[a].state == "small"  # 2 people: hidden
    assert before.row("new").cells[a].value == 3  # their first time, in 2026


def test_travel_comes_from_the_stored_footprints(app, federation):
    f = federation
    assert db.session.scalars(select(EditionFootprint.edition_id)).all() == []
    with time_machine.travel(datetime(2027, 6, 1, 8, tzinfo=UTC), tick=False):
        stale = travel.stale_footprints(now=datetime(2027, 6, 1, 8, tzinfo=UTC))
        measured = travel.measure_footprints(stale, now=datetime(2027, 6, 1, 8, tzinfo=UTC))
        db.session.commit()
        assert measured >= 3
        assert travel.stale_footprints(now=datetime(2027, 6, 1, 9, tzinfo=UTC)) == []
    with app.test_request_context():
        found = _compute()
    a_row, b_row = (db.session.get(EditionFootprint, f.held[k].id) for k in "ab")
    assert (a_row.programmers, a_row.companies, b_row.programmers) == (5, 4, 4)
    assert a_row.km > 0
    planned = {k: db.session.get(EditionFootprint, getattr(f, k).planned.id) for k in "ab"}  # no one came
    assert planned["a"].programmers == 0 and planned["a"].km > 0  # but its company travelled
    km, kg = found.row("km"), found.row("kg")
    a_km, b_km = a_row.km + planned["a"].km, b_row.km + planned["b"].km
    assert (km.cells[f.a.network.id].value, km.cells[f.b.network.id].value) == (a_km, b_km)
    assert km.total.value == a_km + b_km
    assert kg.total.value == a_row.kg + b_row.kg + planned["a"].kg + planned["b"].kg


def test_withdrawing_takes_the_network_out_of_everything_computed_afterwards(app, federation, client):
    f = federation
    with time_machine.travel(datetime(2027, 6, 1, 8, tzinfo=UTC), tick=False):
        sign_in(client, f.b.coordinator)
        assert (
            post_form(client, "/network/barometre/retrait", {}, token_from="/network/barometre").status_code
            == 302
        )
        assert db.session.get(BarometerConsent, f.b.network.id) is None
        sign_in(client, f.account)
        page = client.get("/federation").get_data(as_text=True)
        sheet = client.get("/federation/export.csv").data.decode("utf-8-sig")
    assert "Réseau A" in page and "Réseau B" not in page and "Réseau C" not in page
    assert "Réseau B" not in sheet


def test_the_coordination_chooses_what_it_shares(app, federation, client):
    f = federation
    sign_in(client, f.c.coordinator)
    assert client.get("/network/barometre").status_code == 200
    response = post_form(
        client, "/network/barometre", {"since": "2026-01-01"}, token_from="/network/barometre"
    )
    assert response.status_code == 422  # nothing ticked: sharing nothing is withdrawing
    assert "Cochez au moins un type de chiffres" in response.get_data(as_text=True)
    assert 'value="2026-01-01"' in response.get_data(as_text=True)  # what was typed stays
    assert db.session.get(BarometerConsent, f.c.network.id) is None
    response = post_form(client, "/network/barometre", {"activity": "y"}, token_from="/network/barometre")
    assert response.status_code == 422 and "Indiquez à partir de quelle date" in response.get_data(
        as_text=True
    )
    chosen = {"since": "2026-01-01", "activity": "y", "travel": "y"}
    response = post_form(client, "/network/barometre", chosen, token_from="/network/barometre")
    assert response.status_code == 302
    consent = db.session.get(BarometerConsent, f.c.network.id)
    assert (consent.activity, consent.bookings, consent.travel, consent.public) == (True, False, True, False)
    with app.test_request_context():
        found = _compute()
    c = f.c.network.id
    assert found.row("companies").cells[c].value == 7
    assert found.row("bookings").cells[c].state == "not_shared"


def test_the_federation_account_sees_the_barometer_and_nothing_inside_a_network(app, federation, client):
    f = federation
    with time_machine.travel(datetime(2027, 6, 1, 8, tzinfo=UTC), tick=False):
        sign_in(client, f.account)
        assert client.get("/").headers["Location"].endswith("/federation")
        page = client.get("/federation")
        inside = ["/editions", "/programmers", "/companies", f"/companies/{f.a.companies[0].id}", "/impact",
                  "/taches", "/network/barometre", "/admin/users", f"/editions/{f.a.planned.id}"]  # fmt: skip
        refused = {path: client.get(path).status_code for path in inside}
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Réseau A" in html and "Réseau B" in html and "Réseau C" not in html
    assert "&lt; 3" in html
    assert set(refused.values()) == {403}, refused
    # no name of a company or a programmer of any network on the page
    for name in ("Compagnie A1", "Compagnie reseau-a", "ProgrammateurA1", f.held["a"].people[0].last_name):
        assert name not in html


def test_exports_for_french_excel_and_xlsx(app, federation, client):
    with time_machine.travel(datetime(2027, 6, 1, 8, tzinfo=UTC), tick=False):
        sign_in(client, federation.account)
        raw = client.get("/federation/export.csv")
        book = client.get("/federation/export.xlsx")
    assert raw.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][3:] == ["Réseau A", "Réseau B", "Total des cellules affichées"]
    fees = next(r for r in rows if r[2] == "Cessions (HT)")
    assert fees[3:] == ["6000,00", "< 3", "6000,00"]
    sheet = load_workbook(io.BytesIO(book.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    companies = next(r for r in values if r[2] == "Compagnies présentées")
    assert companies[3:] == [5, 4, 9]


def test_the_public_barometer_opens_only_with_every_networks_second_consent(app, federation, client):
    f = federation
    with time_machine.travel(datetime(2027, 6, 1, 8, tzinfo=UTC), tick=False):
        assert client.get("/barometre").status_code == 404
        _share(f.a.network, f.a.coordinator, public=True)
        assert client.get("/barometre").status_code == 404  # B did not agree
        _share(f.b.network, f.b.coordinator, public=True)
        page = client.get("/barometre")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Réseau A" in html and "Réseau B" in html and "Réseau C" not in html
        assert client.get("/barometre/export.csv").status_code == 200
        services.withdraw(f.b.network, user=f.b.coordinator)  # A alone, who agreed: open, B gone
        db.session.commit()
        html = client.get("/barometre").get_data(as_text=True)
        assert "Réseau B" not in html


def test_the_barometer_sends_a_fixed_number_of_statements(app, federation, client):
    with time_machine.travel(datetime(2027, 6, 1, 8, tzinfo=UTC), tick=False):
        sign_in(client, federation.account)
        with count_queries(db.engine) as small:
            assert client.get("/federation").status_code == 200
        for _ in range(3):
            network = factories.network()
            venue = factories.structure(network)
            _held(network, venue, companies=3, people=3, bookings=3)
            _share(network, factories.user(Role.COORDINATOR, net=network))
        with count_queries(db.engine) as large:
            assert client.get("/federation").status_code == 200
    assert len(small) == len(large) == STATEMENTS


STATEMENTS = 17  # the session and user, the networks sharing, the years, the stored figures (none here),
# then one grouped statement a figure


@given(st.lists(st.tuples(st.integers(-30, 400), st.integers(1, 5)), max_size=30))
def test_the_median_read_off_the_counts_is_the_median_of_the_values(counts):
    values = [value for value, n in counts for _ in range(n)]
    expected = statistics.median(values) if values else None
    assert figures.median(counts) == expected


# --- The stored figures ----------------------------------------------------------------------------------

NOW = datetime(2027, 6, 1, 8, tzinfo=UTC)


def _seen(found):
    """Everything the page shows of a barometer, in a form that compares."""
    rows = [
        (row.metric.key, {n: (c.state, c.value) for n, c in row.cells.items()},
         (row.total.state, row.total.value), row.partial)
        for row in found.rows
    ]  # fmt: skip
    return rows, [(g.label, g.count, g.hidden) for g in found.map_groups], found.map_total, found.years


def _stored():
    return db.session.scalars(select(BarometerFigures).order_by(BarometerFigures.network_id)).all()


def test_the_stored_figures_give_the_barometer_computed_afresh(app, federation):
    f = federation
    earlier = _held(f.a.network, f.a.venue, companies=3, people=0, bookings=1, starts_on=date(2026, 3, 4))
    slot_id = db.session.scalar(select(Slot.id).where(Slot.edition_id == earlier.id))
    for person in f.held["a"].people[:3]:
        db.session.add(Attendance(slot_id=slot_id, programmer_id=person.id))
    db.session.commit()
    with app.test_request_context():
        afresh = {year: _compute(year=year, now=NOW) for year in (2027, 2026)}
        assert afresh[2027].computed_at == NOW  # nothing stored yet: computed for the visit
        assert snapshots.refresh_due(now=NOW) == 4  # two networks, two years
        db.session.commit()
        with count_queries(db.engine) as statements:
            stored = {year: _compute(year=year, now=NOW + timedelta(minutes=30)) for year in (2027, 2026)}
    for year in (2027, 2026):
        assert _seen(stored[year]) == _seen(afresh[year])
        assert stored[year].computed_at == NOW
    assert stored[2027].row("returning").cells[f.a.network.id].value == 3
    assert stored[2027].row("fees").cells[f.a.network.id].value == Decimal("6000.00")
    assert len(statements) == 2 * STORED_STATEMENTS


STORED_STATEMENTS = 3  # the networks sharing, the years, the stored figures


def test_stored_figures_are_computed_again_each_hour_and_trusted_for_a_day(app, federation):
    f = federation
    with app.test_request_context():
        assert jobs.snapshots_job(now=NOW, worker="test") == {"barometer_figures": 2}
        _held(f.a.network, f.a.venue, companies=3, people=3, bookings=0)  # after the computation
        assert _compute(now=NOW + timedelta(minutes=30)).row("companies").cells[f.a.network.id].value == 5
        assert snapshots.refresh_due(now=NOW + timedelta(minutes=30)) == 0  # not an hour old
        assert snapshots.refresh_due(now=NOW + timedelta(minutes=61)) == 2
        db.session.commit()
        found = _compute(now=NOW + timedelta(minutes=62))
        assert found.row("companies").cells[f.a.network.id].value == 8
        assert found.computed_at == NOW + timedelta(minutes=61)
        _held(f.a.network, f.a.venue, companies=3, people=3, bookings=0)
        # the scheduler stopped: a day later the stored figures are no longer used
        late = NOW + timedelta(days=1, minutes=62)
        found = _compute(now=late)
    assert found.row("companies").cells[f.a.network.id].value == 11
    assert found.computed_at == late


def test_stored_figures_follow_the_present_choice_and_go_with_a_withdrawal(app, federation):
    f = federation
    a, b = f.a.network.id, f.b.network.id
    with app.test_request_context():
        snapshots.refresh_due(now=NOW)
        db.session.commit()
        consent = db.session.get(BarometerConsent, a)
        consent.bookings = False  # changed behind the page's back: the stored figures no longer apply
        db.session.commit()
        found = _compute(now=NOW + timedelta(minutes=5))
        assert found.row("bookings").cells[a].state == "not_shared"
        assert found.computed_at == NOW + timedelta(minutes=5)  # A computed for the visit
        _share(f.a.network, f.a.coordinator, bookings=False)  # through the page: A's rows go
        assert [row.network_id for row in _stored()] == [b]
        services.withdraw(f.b.network, user=f.b.coordinator)
        db.session.commit()
        assert _stored() == []
        # a tick that was computing B when it withdrew stored it again: the next tick deletes it
        db.session.add(BarometerFigures(network_id=b, year=2027, since=date(2026, 1, 1), shared="activity",
                                        figures={"raw": {}, "places": []}, computed_at=NOW))  # fmt: skip
        db.session.commit()
        snapshots.refresh_due(now=NOW)
        assert b not in {row.network_id for row in _stored()}
        # a network's years come one tick after another, a few at a time
        _held(f.a.network, f.a.venue, companies=3, people=3, bookings=0, starts_on=date(2026, 3, 4))
        _share(f.a.network, f.a.coordinator)
        assert snapshots.refresh_due(now=NOW, years_at_most=1) == 1
        assert [row.year for row in _stored()] == [2027]
        assert snapshots.refresh_due(now=NOW, years_at_most=1) == 1
        assert sorted(row.year for row in _stored()) == [2026, 2027]
        assert snapshots.refresh_due(now=NOW) == 0
