from datetime import date

import pytest

from crm.base.errors import DomainError
from crm.showcase import shows as services
from tests import factories


@pytest.fixture
def net(app):
    return factories.network(slug="jeudis")


def test_edition_slug_is_made_from_network_and_name_and_kept_unique(app, net):
    first = factories.edition(net, name="Édition d'hiver 2027")
    second = factories.edition(net, name="Édition d'hiver 2027")
    assert first.slug == "jeudis-edition-d-hiver-2027"
    assert second.slug == "jeudis-edition-d-hiver-2027-2"


def test_edition_slug_does_not_change_when_renamed(app, net):
    edition = factories.edition(net, name="Printemps")
    data = {"name": "Printemps (reporté)", "starts_on": date(2027, 4, 1), "ends_on": date(2027, 4, 2)}
    services.save_edition(edition, net, data)
    assert (edition.name, edition.slug) == ("Printemps (reporté)", "jeudis-printemps")


def test_edition_ending_before_it_starts_is_refused(app, net):
    with pytest.raises(DomainError) as error:
        factories.edition(net, starts_on=date(2027, 3, 5), ends_on=date(2027, 3, 4))
    assert error.value.field == "ends_on"


def test_young_audience_show_needs_a_minimum_age(app, net):
    company = factories.company(net)
    with pytest.raises(DomainError) as error:
        factories.show(company, audience="young", min_age=None)
    assert error.value.field == "min_age"
    assert factories.show(company, audience="young", min_age=6).min_age == 6


def test_show_belongs_to_its_company_network(app, net):
    show = factories.show(factories.company(net), setup_minutes=None, strike_minutes=None)
    assert (show.network_id, show.setup_minutes, show.strike_minutes) == (net.id, 0, 0)
