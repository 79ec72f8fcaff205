import pytest

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts import services
from crm.contacts.models import OrganisationKind
from tests import factories


def _names(query):
    return [p.last_name for p in db.session.scalars(query)]


def test_search_ignores_accents_and_case(app, net, coordinator):
    orleans = factories.structure(net, name="Théâtre d'Orléans", city="Orléans", postcode="45000")
    factories.programmer(net, coordinator, orleans, last_name="Lefèvre")
    factories.programmer(net, coordinator, None, last_name="Martin")
    assert _names(services.programmers_query(net.id, "orleans")) == ["Lefèvre"]
    assert _names(services.programmers_query(net.id, "LEFEVRE")) == ["Lefèvre"]
    assert _names(services.programmers_query(net.id, "  théâtre   lefèvre ")) == ["Lefèvre"]
    assert _names(services.programmers_query(net.id, "%")) == []


def test_programmer_email_is_normalised_and_unique_in_the_network(app, net, coordinator):
    person = factories.programmer(net, coordinator, email="  Claire.Dupont@Example.ORG ")
    assert person.email == "claire.dupont@example.org"
    with pytest.raises(DomainError) as error:
        factories.programmer(net, coordinator, email="CLAIRE.DUPONT@example.org")
    assert error.value.field == "email"
    other = factories.network()
    assert factories.programmer(other, coordinator, email="claire.dupont@example.org").network_id == other.id


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01 99 00 12 34", "+33199001234"),
        ("+33 2 61 91 12 34", "+33261911234"),
        ("0032 2 555 12 12", "+3225551212"),
    ],
)
def test_phone_numbers_are_stored_in_international_form(app, net, coordinator, typed, stored):
    assert factories.programmer(net, coordinator, phone=typed).phone == stored


def test_invalid_phone_is_refused_beside_the_field(app, net, coordinator):
    with pytest.raises(DomainError) as error:
        factories.programmer(net, coordinator, phone="12 34")
    assert error.value.field == "phone"
    assert "12 34" in str(error.value.message)


def test_departement_is_deduced_from_the_postcode(app, net):
    assert factories.company(net, postcode="49130", city="Les Ponts-de-Cé").departement_code == "49"
    assert factories.company(net, postcode="20000", city="Ajaccio").departement_code == "2A"
    assert factories.company(net, postcode="97200", city="Fort-de-France").departement_code == "972"


def test_unknown_departement_is_refused(app, net):
    with pytest.raises(DomainError) as error:
        factories.company(net, departement_code="99")
    assert error.value.field == "departement_code"


def test_company_names_are_unique_within_a_network_only(app, net):
    factories.company(net, name="Compagnie du Chêne")
    with pytest.raises(DomainError) as error:
        factories.company(net, name="Compagnie du Chêne")
    assert error.value.field == "name"
    assert factories.company(factories.network(), name="Compagnie du Chêne").name == "Compagnie du Chêne"


def test_structure_needs_a_type(app, net):
    with pytest.raises(DomainError) as error:
        factories.structure(net, structure_type=None)
    assert error.value.field == "structure_type"


def test_disciplines_of_interest_are_replaced_on_edit(app, net, coordinator):
    person = factories.programmer(net, coordinator, disciplines=["theatre", "dance"])
    services.save_programmer(
        person, net, {**_programmer_data(person), "disciplines": ["dance", "circus"]}, actor=coordinator
    )
    db.session.commit()
    db.session.expire_all()
    assert [d.value for d in person.disciplines] == ["circus", "dance"]


def _programmer_data(person):
    return {field: getattr(person, field) for field in services.PROGRAMMER_FIELDS}


def test_member_edits_only_the_contacts_they_created(app, net, coordinator):
    company = factories.company(net)
    member = factories.user(role="member", comp=company)
    own = factories.programmer(net, member)
    theirs = factories.programmer(net, coordinator)
    assert services.may_edit_programmer(member, own)
    assert not services.may_edit_programmer(member, theirs)
    assert services.may_edit_programmer(coordinator, own)


def test_organisations_query_filters_kind_and_text(app, net):
    factories.company(net, name="Compagnie Élan", city="Blois", postcode="41000")
    factories.structure(net, name="Médiathèque Élan", city="Blois", postcode="41000")
    found = db.session.scalars(services.organisations_query(net.id, OrganisationKind.COMPANY, "elan blois"))
    assert [o.name for o in found] == ["Compagnie Élan"]


def test_directory_filters_combine(app, net, coordinator):
    library = factories.structure(net, name="Médiathèque de Tours", postcode="37000", city="Tours")
    theatre = factories.structure(
        net, name="Théâtre de Nantes", postcode="44000", city="Nantes", structure_type="municipal_theatre"
    )
    factories.programmer(
        net,
        coordinator,
        library,
        last_name="Tours",
        departement_code="37",
        disciplines=["dance"],
        wants_young=True,
        wants_all=False,
    )
    factories.programmer(
        net,
        coordinator,
        theatre,
        last_name="Nantes",
        departement_code="44",
        disciplines=["theatre", "dance"],
        wants_young=False,
        wants_all=True,
    )

    def names(**filters):
        return _names(services.programmers_query(net.id, None, **filters))

    assert names(region="CVL") == ["Tours"]
    assert names(departement="44") == ["Nantes"]
    assert names(structure_type="municipal_theatre") == ["Nantes"]
    assert names(discipline="dance") == ["Nantes", "Tours"]
    assert names(discipline="theatre", audience="all") == ["Nantes"]
    assert names(audience="young", region="PDL") == []
