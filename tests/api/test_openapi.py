"""The description is valid OpenAPI 3.1, and every operation it lists answers what it describes."""

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.checkin.services import check_in
from crm.contacts.models import Programmer
from crm.invitations.models import Invitation
from tests.api.conftest import bearer
from tests.pages.test_permissions import _meetings, _outcome


def _spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_description_is_valid_openapi_3_1(client):
    spec = _spec(client)
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on any error
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_the_description_is_generated_from_the_schemas_that_validate(client):
    """The body a route checks is the one described: a field the schema requires is required here."""
    spec = _spec(client)
    body = spec["paths"]["/api/v1/programmers"]["post"]["requestBody"]["content"]["application/json"]
    required = spec["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]]["required"]
    assert set(required) == {"first_name", "last_name", "email"}
    refused = client.post("/api/v1/programmers", json={}, headers={"Authorization": "Bearer nothing"})
    assert refused.status_code == 401  # the token is checked before the body


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield method, path, operation


@pytest.fixture
def scene(world, tokens):
    """Something behind every route: an attendance, a booking, a published meeting session."""
    a = world.a
    person = db.session.get(Programmer, a.programmers[1].id)
    check_in(a.slot, person, actor=a.coordinator, now=utcnow())
    values = {
        "edition_id": a.planned.id,
        "registration_id": a.registration.id,
        "slot_id": a.slot.id,
        "company_id": a.companies[0].id,
        "programmer_id": a.programmers[0].id,
        "attendance_id": 1,
        "invitation_id": db.session.scalar(
            db.select(Invitation.id).where(Invitation.edition_id == a.planned.id)
        ),
        "booking_id": _outcome(a),
        "session_id": _meetings(a)["session_id"],
        "slug": a.planned.slug,
        "show_id": a.shows[0].id,
        "structure_id": a.venue.id,
    }
    db.session.commit()
    bodies = {
        ("post", "/api/v1/programmers"): {"first_name": "Inès", "last_name": "Roux",
                                          "email": "ines@example.org"},
        ("patch", "/api/v1/programmers/{programmer_id}"): {"job_title": "Directrice"},
        ("post", "/api/v1/bookings"): {
            "company_id": a.companies[0].id, "show_id": a.shows[0].id, "programmer_id": a.programmers[0].id,
            "kind": "performances", "status": "confirmed", "decided_on": "2027-04-02",
            "dates": [{"on": "2027-10-12", "town": "Orléans"}], "fee": "1200,50",
        },
        ("post", "/api/v1/attendance"): {"slot_id": a.slot.id, "programmer_id": a.programmers[0].id},
    }  # fmt: skip
    return values, bodies, tokens["write"]


def _validator(spec, schema):
    return OAS31Validator({**spec, **schema})  # "$ref"s resolve against the whole description


def test_every_operation_answers_as_described(client, scene):
    values, bodies, token = scene
    spec = _spec(client)
    operations = list(_operations(spec))
    assert len(operations) >= 20
    for method, path, operation in operations:
        url = path.format(**values)
        body = bodies.get((method, path))
        assert method == "get" or body is not None, f"give {method} {path} a body in the scene"
        response = client.open(url, method=method.upper(), json=body, headers=bearer(token))
        status = str(response.status_code)
        assert status in operation["responses"], (method, path, status, response.get_data(as_text=True))
        assert response.status_code < 300, (method, path, response.get_data(as_text=True))
        content = operation["responses"][status]["content"]["application/json"]
        errors = list(_validator(spec, content["schema"]).iter_errors(response.get_json()))
        assert not errors, (method, path, [e.message for e in errors])


def test_the_public_programme_matches_its_own_description(client, world):
    """The programme's JSON is made by the public page's code; its description must still say it."""
    spec = _spec(client)
    content = spec["paths"]["/api/v1/programme/{slug}"]["get"]["responses"]["200"]["content"]
    data = client.get(f"/api/v1/programme/{world.a.planned.slug}").get_json()
    assert data["slots"] and data["venues"][0]["address"] is None or "address" in data["venues"][0]
    assert not list(_validator(spec, content["application/json"]["schema"]).iter_errors(data))


def test_the_reference_page_lists_every_path(client):
    spec = _spec(client)
    page = client.get("/api/v1/").get_data(as_text=True)
    for _method, path, _operation in _operations(spec):
        assert f"<code>{path}</code>" in page
    assert "Authorization: Bearer" in page
