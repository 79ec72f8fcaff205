from sqlalchemy import select
from werkzeug.security import check_password_hash

from crm.accounts.models import Role, User
from crm.base.extensions import db


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_create_coordinator_with_password_option(app, world, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Nouvelle@Example.org", "--role", "coordinator",
              "--network", "reseau-a", "--password", "un mot de passe long"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = _user("nouvelle@example.org")
    assert (user.role, user.network_id) == (Role.COORDINATOR, world.a.network.id)
    assert check_password_hash(user.password_hash, "un mot de passe long")
    assert user.password_hash.startswith("scrypt:")


def test_create_member_asks_for_the_password(app, world, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "membre@example.org",
            "--role",
            "member",
            "--company",
            "Compagnie B2",
        ],
        input="un mot de passe long\nun mot de passe long\n",
    )
    assert result.exit_code == 0, result.output
    user = _user("membre@example.org")
    assert (user.company_id, user.network_id) == (world.b.companies[1].id, world.b.network.id)


def test_create_refuses_a_member_without_company_and_a_short_password(app, world, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.org",
            "--role",
            "member",
            "--password",
            "long enough pw",
        ]
    )
    assert result.exit_code == 2
    assert "doit être rattaché à une compagnie" in result.output
    result = runner.invoke(
        args=["users", "create", "--email", "y@example.org", "--role", "admin", "--password", "court"]
    )
    assert result.exit_code == 2
    assert "au moins 10 caractères" in result.output
    assert _user("x@example.org") is None and _user("y@example.org") is None


def test_create_refuses_an_unknown_network(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "z@example.org", "--role", "coordinator",
              "--network", "nulle-part", "--password", "long enough pw"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no network with slug 'nulle-part'" in result.output
