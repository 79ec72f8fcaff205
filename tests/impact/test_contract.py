"""« Préparer le contrat » of a cession booking: what is filled from the records and what is missing, the
terms form, the ODT summary and a company's own ODT template filled, all read back with odfdo."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from odfdo import Document, Paragraph
from sqlalchemy import select

from crm.base.extensions import db
from crm.impact import contract
from crm.impact.models import CessionTerms, ContractTemplate, Outcome, OutcomeDate, OutcomeKind, OutcomeStatus
from tests import factories
from tests.conftest import csrf_token, post_form, sign_in


@pytest.fixture
def booking(world):
    a = world.a
    company, show = a.companies[0], a.shows[0]
    company.address = "12 rue des Carmes"
    a.venue.capacity = 320
    outcome = Outcome(network_id=a.network.id, company_id=company.id, show_id=show.id,
                      organisation_id=a.venue.id, kind=OutcomeKind.PERFORMANCES,
                      status=OutcomeStatus.CONFIRMED, fee_per_performance=Decimal("1200"),
                      decided_on=date(2027, 3, 20), currency="EUR")  # fmt: skip
    outcome.dates = [OutcomeDate(on=date(2027, 5, d), venue="Théâtre A", town="Tours", departement_code="37")
                     for d in (6, 7)]  # fmt: skip
    db.session.add(outcome)
    db.session.commit()
    return a, outcome


def test_the_summary_fills_what_the_records_know_and_lists_the_rest(booking):
    a, outcome = booking
    found = contract.summary(outcome)
    values = found.values()
    assert (
        values["vendeur_nom"] == "Compagnie A1"
        and values["vendeur_adresse"] == "12 rue des Carmes, 45000 Orléans"
    )
    assert values["acheteur_nom"] == "Théâtre A" and values["jauge"] == "320"
    assert values["dates"] == "jeudi 6 mai 2027, vendredi 7 mai 2027"
    assert values["nombre_representations"] == "2"
    assert values["prix_ht"] == "1\u202f200,00\u00a0€" and values["taux_tva"] == "5,5 %"
    assert values["prix_ttc"] == "1\u202f266,00\u00a0€"  # 1 200 × 1,055
    assert values["total_ht"] == "2\u202f400,00\u00a0€" and values["total_ttc"] == "2\u202f532,00\u00a0€"
    assert "SACD" in values["droits"] and values["annulation"]
    missing = {line.key for line in found.missing}
    assert {"vendeur_signataire", "acheteur_signataire", "horaires", "conditions_techniques"} <= missing
    assert "vendeur_nom" not in missing and "total_ttc" not in missing


def test_the_terms_form_refuses_a_bad_rate_keeps_what_was_typed_and_saves_a_good_one(booking, client):
    a, outcome = booking
    sign_in(client, a.members[0])
    url = f"/outcomes/{outcome.id}/contract"
    page = client.get(url).get_data(as_text=True)
    assert "À compléter" in page and "informations manquent" in page
    # both parties have a SIRET: the list says whose is missing
    assert "<li>L&#39;organisateur (acheteur)\u202f: " in page and "Signataire" in page
    refused = post_form(client, url, {"vat_rate": "beaucoup", "seller_signatory": "Léa Martin",
                                      "costs_mode": "per_diem"}, token_from=url)  # fmt: skip
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="beaucoup"' in html and 'value="Léa Martin"' in html
    assert db.session.get(CessionTerms, outcome.id) is None  # nothing saved
    saved = post_form(client, url, {"vat_rate": "2,1", "seller_signatory": "Léa Martin",
                                    "seller_role": "Présidente",
                                    "costs_mode": "actual", "costs_amount": "350,50", "times": "20 h 30"},
                      token_from=url)  # fmt: skip
    assert saved.status_code == 302
    terms = db.session.get(CessionTerms, outcome.id)
    assert 'value="2,1"' in client.get(url).get_data(as_text=True)  # the rate shown the French way
    assert (terms.seller_signatory, terms.vat_rate, terms.costs_amount) == (
        "Léa Martin",
        Decimal("2.1"),
        Decimal("350.5"),
    )
    values = contract.summary(outcome).values()
    assert values["prix_ttc"] == "1\u202f225,20\u00a0€" and values["horaires"] == "20 h 30"
    assert values["frais"] == "Frais réels sur justificatifs\u202f: 350,50\u00a0€"


def test_the_odt_summary_reads_back_with_its_figures(booking, client):
    a, outcome = booking
    sign_in(client, a.coordinator)
    response = client.get(f"/outcomes/{outcome.id}/contract.odt")
    assert response.status_code == 200 and response.mimetype == "application/vnd.oasis.opendocument.text"
    # the document's own text (odfdo's plain-text rendering folds the narrow no-break spaces)
    text = zipfile.ZipFile(io.BytesIO(response.data)).read("content.xml").decode()
    assert "Contrat de cession\u202f: Spectacle A1" in text and "2\u202f532,00\u00a0€" in text
    assert "À compléter avant signature" in text and "Signataire" in text


def _template(*paragraphs) -> bytes:
    document = Document("text")
    document.body.clear()
    for text in paragraphs:
        document.body.append(Paragraph(text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_companys_own_template_is_filled_and_what_is_missing_shows(booking, client):
    a, outcome = booking
    sign_in(client, a.members[0])
    url = f"/outcomes/{outcome.id}/contract"
    content = _template("Entre {{ vendeur_nom }} et {{acheteur_nom}},", "pour {{ total_ttc }} TTC.",
                        "SIRET : {{ vendeur_siret }}", "Autre : {{ inconnu }}")  # fmt: skip
    data = {"csrf_token": csrf_token(client, url), "outcome_id": str(outcome.id),
            "template": (io.BytesIO(content), "mon-contrat.odt")}  # fmt: skip
    assert client.post(f"/companies/{a.companies[0].id}/contract-template", data=data,
                       content_type="multipart/form-data").status_code == 302  # fmt: skip
    assert db.session.get(ContractTemplate, a.companies[0].id).filename == "mon-contrat.odt"
    filled = client.get(f"/outcomes/{outcome.id}/contract.odt")
    assert 'filename="contrat-' in filled.headers["Content-Disposition"]
    text = [p.text_recursive for p in Document(io.BytesIO(filled.data)).body.paragraphs]
    assert text == ["Entre Compagnie A1 et Théâtre A,", "pour 2\u202f532,00\u00a0€ TTC.",
                    "SIRET : [à compléter\u202f: SIRET]", "Autre : {{ inconnu }}"]  # fmt: skip
    plain = client.get(f"/outcomes/{outcome.id}/contract.odt?plain=1")
    assert 'filename="conditions-contrat-' in plain.headers["Content-Disposition"]


def test_a_file_that_is_not_odt_is_refused_with_its_reason(booking, client):
    a, outcome = booking
    sign_in(client, a.members[0])
    url = f"/outcomes/{outcome.id}/contract"
    data = {"csrf_token": csrf_token(client, url), "outcome_id": str(outcome.id),
            "template": (io.BytesIO(b"%PDF-1.4 pas un ODT"), "contrat.pdf")}  # fmt: skip
    response = client.post(f"/companies/{a.companies[0].id}/contract-template", data=data,
                           content_type="multipart/form-data", follow_redirects=True)  # fmt: skip
    assert "n&#39;est pas un document ODT" in response.get_data(as_text=True)
    assert db.session.scalar(select(ContractTemplate)) is None


def test_another_company_and_another_network_get_404(booking, world, client):
    a, outcome = booking
    sign_in(client, a.members[1])  # the other company of the network
    assert client.get(f"/outcomes/{outcome.id}/contract").status_code == 404
    assert client.get(f"/outcomes/{outcome.id}/contract.odt").status_code == 404
    url = "/account/password"
    data = {"csrf_token": csrf_token(client, url), "template": (io.BytesIO(_template("x")), "m.odt")}
    assert client.post(f"/companies/{a.companies[0].id}/contract-template", data=data,
                       content_type="multipart/form-data").status_code == 404  # fmt: skip
    other = factories.user(net=world.b.network, email="coord-b2@example.org")
    db.session.commit()
    sign_in(client, other)
    assert client.get(f"/outcomes/{outcome.id}/contract").status_code == 404
