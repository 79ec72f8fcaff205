"""An edition's shared budget: lines split by five rules, each company's statement exact to the cent and
adding up, visible to the company itself, the lead company and the coordination only."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.cooperation import budget, services
from crm.cooperation.models import BudgetLine, LineKind, SplitRule
from crm.showcase.models import Assignment, Registration, Slot
from tests import factories
from tests.conftest import post_form, sign_in
from tests.scene import on_stage

# --- The split, on plain data -------------------------------------------------------------------------

companies_st = st.lists(st.tuples(st.integers(0, 8), st.integers(0, 3)), min_size=1, max_size=6)
line_st = st.tuples(
    st.sampled_from(list(LineKind)),
    st.integers(1, 10**9),  # cents: up to ten million euros
    st.integers(0, 5),  # who paid (index, modulo the companies)
    st.sampled_from(list(SplitRule)),
    st.lists(st.tuples(st.integers(0, 5), st.integers(1, 10**6)), max_size=4),  # fixed shares
)


@given(companies_st, st.lists(line_st, max_size=12), st.one_of(st.none(), st.integers(0, 5)))
def test_every_statement_is_exact_and_the_balances_add_up_to_zero(people, lines, lead):
    companies = [budget.Company(i + 1, f"Compagnie {i % 3}", cast, n) for i, (cast, n) in enumerate(people)]
    ids = [c.id for c in companies]
    entries = [
        budget.Entry(k + 1, kind, "ligne", amount, ids[payer % len(ids)], rule,
                     {ids[i % len(ids)]: w for i, w in fixed})
        for k, (kind, amount, payer, rule, fixed) in enumerate(lines)
    ]  # fmt: skip
    lead_id = ids[lead % len(ids)] if lead is not None else None
    found = budget.compute(entries, companies, lead_id)
    assert sum(s.balance_cents for s in found.statements) == 0
    for entry in entries:
        parts = [p for s in found.statements for p in s.parts if p.entry.id == entry.id]
        sign = -1 if entry.income else 1
        if entry.kind == LineKind.CONTRIBUTION:  # a payment from one company to another: no share
            assert sum(p.paid_cents for p in parts) == 0 and all(p.share_cents == 0 for p in parts)
            continue
        assert sum(p.share_cents for p in parts) == sign * entry.amount_cents  # split to the cent
        assert sum(p.paid_cents for p in parts) == sign * entry.amount_cents
        programmed = [c for c in companies if c.performances > 0]
        if entry.rule == SplitRule.EQUAL and programmed and entry not in found.unsplit:
            shares = [sum(p.share_cents for p in s.parts if p.entry.id == entry.id)
                      for s in found.statements if s.company.performances > 0]  # fmt: skip
            assert max(shares) - min(shares) <= 1  # equal, give or take the cent left over
    shown = {s.company.id for s in found.statements}
    assert {c.id for c in companies if c.performances > 0} <= shown
    assert len(shown) == len(found.statements)


# --- The pages ---------------------------------------------------------------------------------------


@pytest.fixture
def books(world):
    """World A's planned edition: A1 on stage once (3 people), A2 twice (2 people), A3 once (4 people)."""
    a = world.a
    third = factories.company(a.network, name="Compagnie A3")
    a.members.append(factories.user(Role.MEMBER, comp=third, email="member-a3@example.org"))
    first = _registration(on_stage(a.planned, a.venue, a.companies[1], a.shows[1], 10))
    again = Slot(
        edition_id=a.planned.id,
        venue_id=a.venue.id,
        format=first.format,
        starts_at=datetime(2027, 3, 5, 14, tzinfo=UTC),
        ends_at=datetime(2027, 3, 5, 15, tzinfo=UTC),
    )
    db.session.add(again)
    db.session.flush()
    db.session.add(Assignment(slot_id=again.id, registration_id=first.id))  # A2 plays twice
    slot = on_stage(a.planned, a.venue, third, factories.show(third, title="Spectacle A3"), 16)
    _registration(slot).cast_size = 4
    db.session.commit()
    a.companies.append(third)
    return a


def _registration(slot) -> Registration:
    return db.session.scalar(
        select(Registration).join(Assignment, Assignment.registration_id == Registration.id)
        .where(Assignment.slot_id == slot.id)
    )  # fmt: skip


def _line(client, edition, data):
    return post_form(client, f"/editions/{edition.id}/budget/lines/new", data,
                     token_from=f"/editions/{edition.id}/budget/lines/new")  # fmt: skip


def test_three_rules_give_statements_exact_to_the_cent(app, books, client):
    a, (c0, c1, c2) = books, books.companies
    edition = a.planned
    sign_in(client, a.coordinator)
    lead = post_form(client, f"/editions/{edition.id}/budget/lead", {"lead_company_id": c0.id},
                     token_from=f"/editions/{edition.id}/budget")  # fmt: skip
    assert lead.status_code == 302
    common = {"on": "2027-03-06"}
    lines = [
        {"kind": "printing", "label": "Plaquette commune", "amount": "1 000,00", "paid_by_id": c0.id,
         "rule": "equal"},
        {"kind": "video", "label": "Captations", "amount": "500", "paid_by_id": c1.id,
         "rule": "performances"},
        {"kind": "grant", "label": "Aide à la diffusion", "funder": "Région Centre-Val de Loire",
         "amount": "810,00", "paid_by_id": c0.id, "rule": "cast"},
        {"kind": "technical", "label": "Location lumière", "amount": "300", "paid_by_id": c2.id,
         "rule": "fixed", f"share_{c1.id}": "100", f"share_{c2.id}": "200"},
        {"kind": "contribution", "label": "Participation A3", "amount": "150", "paid_by_id": c2.id,
         "rule": "equal"},
    ]  # fmt: skip
    for data in lines:
        assert _line(client, edition, {**common, **data}).status_code == 302, data["label"]
    found = services.compute(edition)
    figures = {s.company.id: (s.paid_cents, s.share_cents, s.balance_cents) for s in found.statements}
    assert figures == {
        c0.id: (4000, 18834, -14834),  # paid 1,000 − 810 − 150; share 333.34 + 125 − 270
        c1.id: (50000, 50333, -333),  # paid 500; share 333.33 + 250 − 180 + 100
        c2.id: (45000, 29833, 15167),  # paid 300 + 150; share 333.33 + 125 − 360 + 200
    }
    assert sum(balance for _p, _s, balance in figures.values()) == 0
    assert found.statements[0].lead and found.statements[0].company.id == c0.id
    page = client.get(f"/editions/{edition.id}/budget").get_data(as_text=True)
    assert "148,34" in page and "151,67" in page and "Région Centre-Val de Loire" in page
    sheet = client.get(f"/editions/{edition.id}/budget/export.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(sheet), delimiter=";"))
    assert rows[0] == ["Compagnie", "Payé (€)", "Part (€)", "Solde (€)", "Sens"]
    assert rows[1] == ["Compagnie A1 (porteuse)", "40,00", "188,34", "-148,34", "à verser"]
    assert rows[4][:4] == ["Total", "990,00", "990,00", "0,00"]  # costs 1,800 − the grant 810
    book = load_workbook(io.BytesIO(client.get(f"/editions/{edition.id}/budget/export.xlsx").data)).active
    assert [c.value for c in book[3]][:4] == ["Compagnie A2", 500.0, 503.33, -3.33]


def test_fixed_shares_that_do_not_make_the_amount_are_refused_beside_the_rule(app, books, client):
    a, (c0, c1, c2) = books, books.companies
    sign_in(client, a.coordinator)
    data = {"kind": "insurance", "label": "Assurance", "amount": "300", "on": "2027-03-06",
            "paid_by_id": c0.id, "rule": "fixed", f"share_{c1.id}": "100",
            f"share_{c2.id}": "150,50"}  # fmt: skip
    response = _line(client, a.planned, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Les parts fixées (250,50\xa0€) doivent faire le montant de la ligne (300,00\xa0€)." in html
    assert 'value="150,50"' in html  # what was typed stays
    assert db.session.scalars(select(BudgetLine)).all() == []  # nothing half-saved
    data.pop("on")
    response = _line(client, a.planned, {**data, f"share_{c2.id}": "200"})
    assert response.status_code == 422 and "La date de la dépense ou de la recette." in response.get_data(
        as_text=True
    )
    response = _line(client, a.planned, {**data, "on": "2027-03-06", "kind": "contribution"})
    assert response.status_code == 422  # a contribution goes to the lead company: none chosen yet
    assert "choisissez-la d&#39;abord" in response.get_data(as_text=True)


def _with_lines(books):
    c0, c1, c2 = books.companies
    services.set_lead(books.planned, c0.id)
    for kind, amount, payer, rule in (("printing", "900", c0, "equal"), ("video", "90", c1, "performances")):
        data = {
            "kind": kind,
            "amount": Decimal(amount),
            "paid_by_id": payer.id,
            "rule": rule,
            "on": books.planned.starts_on,
        }
        services.save_line(books.planned, None, data, actor=books.coordinator)
    db.session.commit()


def test_each_company_sees_its_own_statement_the_lead_company_sees_all(app, books, client, world):
    _with_lines(books)
    a, (c0, c1, c2) = books, books.companies
    edition = a.planned
    base = f"/editions/{edition.id}/budget"
    sign_in(client, a.members[1])  # A2: not the lead
    assert client.get(base).headers["Location"].endswith(f"{base}/statement")
    own = client.get(f"{base}/statement").get_data(as_text=True)
    assert "Décompte de Compagnie A2" in own and "Compagnie A1" not in own.split("<main", 1)[-1]
    assert client.get(f"{base}/statement/{c1.id}.csv").status_code == 200
    refused = [f"{base}/statement?company={c0.id}", f"{base}/statement/{c0.id}.csv", f"{base}/export.csv",
               f"{base}/lines/new", f"{base}/statement/{c2.id}.xlsx"]  # fmt: skip
    assert {path: client.get(path).status_code for path in refused} == dict.fromkeys(refused, 404)
    line = db.session.scalars(select(BudgetLine)).first()
    assert (
        post_form(client, f"{base}/lines/{line.id}/delete", {}, token_from=f"{base}/statement").status_code
        == 404
    )
    assert db.session.get(BudgetLine, line.id) is not None
    sign_in(client, a.members[0])  # A1, the lead company: every statement, and the lines
    page = client.get(base)
    assert page.status_code == 200 and "Compagnie A3" in page.get_data(as_text=True)
    assert client.get(f"{base}/statement/{c2.id}.xlsx").status_code == 200
    assert client.get(f"{base}/lines/{line.id}").status_code == 200
    assert post_form(client, f"{base}/lead", {"lead_company_id": c1.id}, token_from=base).status_code == 403
    sign_in(client, world.b.coordinator)  # another network: nothing
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/statement?company={c0.id}").status_code == 404


def test_the_budget_page_sends_a_fixed_number_of_statements(app, books, client):
    _with_lines(books)
    sign_in(client, books.coordinator)
    path = f"/editions/{books.planned.id}/budget"
    with count_queries(db.engine) as few:
        assert client.get(path).status_code == 200
    c0, c1, c2 = books.companies
    for n in range(6):
        amount = Decimal("10.01") * (n + 1)
        data = {
            "kind": "sales",
            "amount": amount,
            "paid_by_id": c2.id,
            "rule": "fixed",
            "on": books.planned.starts_on,
            "shares": {c0.id: amount},
        }
        services.save_line(books.planned, None, data, actor=books.coordinator)
    db.session.commit()
    with count_queries(db.engine) as many:
        assert client.get(path).status_code == 200
    assert len(few) == len(many)


def test_cancelled_slots_do_not_count_in_a_split(app, books):
    _with_lines(books)
    c1 = books.companies[1]
    slot = db.session.scalars(
        select(Slot).join(Assignment).join(Registration).where(Registration.company_id == c1.id)
    ).first()
    from crm.showcase.models import SlotStatus

    slot.status = SlotStatus.CANCELLED
    db.session.commit()
    found = services.compute(books.planned)
    video = {s.company.id: sum(p.share_cents for p in s.parts if p.entry.label == "Captation vidéo")
             for s in found.statements}  # fmt: skip
    assert sorted(video.values()) == [3000, 3000, 3000]  # 90 € by 1, 1 and 1 performance (one cancelled)


def test_a_balance_to_pay_stays_a_number_and_a_formula_stays_text():
    from crm.base.spreadsheets import neutralise

    assert neutralise("-148,34") == "-148,34" and neutralise("-3.33") == "-3.33"
    assert (
        neutralise("-1+1") == "'-1+1"
        and neutralise("-A1") == "'-A1"
        and neutralise("=SUM(A1)") == "'=SUM(A1)"
    )


def test_the_funder_page_shows_the_budget_totals_by_kind(app, books, client):
    _with_lines(books)
    c0 = books.companies[0]
    grant = {"kind": "grant", "amount": Decimal("1200.50"), "paid_by_id": c0.id, "rule": "cast",
             "on": books.planned.starts_on, "funder": "Département du Cher"}  # fmt: skip
    services.save_line(books.planned, None, grant, actor=books.coordinator)
    db.session.commit()
    sign_in(client, books.coordinator)
    page = client.get(f"/editions/{books.planned.id}/funders").get_data(as_text=True)
    section = page.split("Budget partagé de l'édition</h2>", 1)[1].split("<h2", 1)[0]
    for text in ("Subvention", "1\u202f200,50\xa0€", "Impression (plaquette, affiches)", "900,00\xa0€",
                 "Captation vidéo", "90,00\xa0€", "990,00\xa0€"):  # fmt: skip
        assert text in section, text


def test_the_lead_company_cannot_change_once_contributions_were_paid_to_it(app, books):
    from crm.base.errors import DomainError

    _with_lines(books)
    c0, c1, c2 = books.companies
    contribution = {"kind": "contribution", "amount": Decimal("50"), "paid_by_id": c2.id, "rule": "none",
                    "on": books.planned.starts_on}  # fmt: skip
    services.save_line(books.planned, None, contribution, actor=books.coordinator)
    db.session.commit()
    before = {s.company.id: s.balance_cents for s in services.compute(books.planned).statements}
    for other in (c1.id, None):
        with pytest.raises(DomainError):
            services.set_lead(books.planned, other)
    db.session.rollback()
    assert services.lead_company_id(books.planned) == c0.id
    services.set_lead(books.planned, c0.id)  # the same one: nothing changes
    assert {s.company.id: s.balance_cents for s in services.compute(books.planned).statements} == before
