"""What the features above the invitations add to a person's invitation page, without it importing them.

`RSVP_SECTIONS`: callables `(invitation, token) -> [{"title", "text", "url", "action"}]`, each a block
shown under the answer (the meetings of a day the person comes, say). Registered at app start.
"""

RSVP_SECTIONS: list = []


def sections(invitation, token) -> list[dict]:
    return [block for section in RSVP_SECTIONS for block in section(invitation, token)]
