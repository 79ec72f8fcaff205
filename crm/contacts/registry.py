"""What the features above the directory tell it about people, without the directory importing them.

Each feature adds its entry when its models are imported, as the merge does with `REFERENCES`.
"""

# Signs of life, each `(since) -> a SELECT of programmer ids`: answered an invitation, came to a slot,
# took part in an exchange. A record with none for three years is proposed for erasure.
ACTIVITY: list = []

# The directory's filters that other features know the answer to, `name -> (value) -> a condition on
# Programmer, or None to leave the list as it is`: "came to this edition", "last contact".
FILTERS: dict = {}

# Warnings on a company's page that other features know of, each `(company, today) -> a message or None`:
# "a booking is recorded and no licence in force is on file".
COMPANY_NOTICES: list = []


def company_notices(company, today) -> list[str]:
    return [message for notice in COMPANY_NOTICES if (message := notice(company, today))]
