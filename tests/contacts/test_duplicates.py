import logging

from sqlalchemy import select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.contacts import duplicates
from crm.contacts.models import Programmer
from tests import factories
from tests.conftest import post_form, sign_in


def test_same_name_and_close_spellings_in_one_structure_are_proposed(app, world):
    a = world.a
    theatre = factories.structure(a.network, name="Le Quai")
    first = factories.programmer(a.network, a.coordinator, theatre, first_name="Hélène", last_name="Lefèvre")
    typo = factories.programmer(a.network, a.coordinator, theatre, first_name="Helene", last_name="Lefevres")
    elsewhere = factories.programmer(a.network, a.coordinator, None, first_name="Hélène", last_name="Lefèvre")
    stranger = factories.programmer(a.network, a.coordinator, theatre, first_name="Karim", last_name="Benali")
    pairs = {(x.id, y.id) for x, y, _score in duplicates.likely_duplicates(a.network.id)}
    assert {(first.id, typo.id), (first.id, elsewhere.id)} <= pairs
    assert not any(stranger.id in pair for pair in pairs)
    assert not any(
        p.network_id != a.network.id
        for x, y, _s in duplicates.likely_duplicates(a.network.id)
        for p in (x, y)
    )


def test_merge_keeps_both_records_information_and_is_logged(app, world, caplog):
    a = world.a
    keep = factories.programmer(
        a.network,
        a.coordinator,
        None,
        first_name="Hélène",
        last_name="Lefèvre",
        disciplines=["dance"],
        phone=None,
    )
    drop = factories.programmer(
        a.network,
        a.coordinator,
        a.venue,
        first_name="Hélène",
        last_name="Lefèvre",
        disciplines=["theatre", "dance"],
        phone="02 61 91 12 34",
        job_title="Directrice",
    )
    drop.opted_out_at = utcnow()
    drop_id = drop.id
    with caplog.at_level(logging.INFO, logger="crm.contacts.duplicates"):
        duplicates.merge(keep, drop, actor=a.coordinator)
    db.session.commit()
    assert db.session.get(Programmer, drop_id) is None
    assert (keep.phone, keep.job_title, keep.organisation_id) == ("+33261911234", "Directrice", a.venue.id)
    assert sorted(d.value for d in keep.disciplines) == ["dance", "theatre"]
    assert keep.opted_out_at is not None
    assert f"programmer {drop_id} merged into {keep.id}" in caplog.text


def test_merge_page_and_refusals(app, world, client):
    a = world.a
    keep, drop = a.programmers
    sign_in(client, a.coordinator)
    assert client.get("/programmers/duplicates").status_code == 200
    response = post_form(
        client,
        f"/programmers/{keep.id}/merge/{world.b.programmers[0].id}",
        {},
        token_from="/account/password",
    )
    assert response.status_code == 404
    post_form(client, f"/programmers/{keep.id}/merge/{keep.id}", {}, token_from="/account/password")
    assert db.session.scalar(select(Programmer.id).where(Programmer.id == keep.id)) == keep.id
    post_form(client, f"/programmers/{keep.id}/merge/{drop.id}", {}, token_from="/account/password")
    assert db.session.scalar(select(Programmer.id).where(Programmer.id == drop.id)) is None
