import pytest

from tests.webhooks.conftest import loopback  # noqa: F401  (fixtures of the webhooks' tests)
from tests.webhooks.receiver import receiver  # noqa: F401


def make_token(runner, slug, scope="read", name="Site du réseau") -> str:
    """A token made as an administrator would, with the command line; its last line is the token."""
    result = runner.invoke(
        args=["api", "token", "create", "--network", slug, "--scope", scope, "--name", name]
    )
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def bearer(token) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(world, runner):
    """Read and write tokens of network A, a write token of network B."""
    return {
        "read": make_token(runner, world.a.network.slug, "read"),
        "write": make_token(runner, world.a.network.slug, "write", name="Outil de billetterie"),
        "other": make_token(runner, world.b.network.slug, "write"),
    }
