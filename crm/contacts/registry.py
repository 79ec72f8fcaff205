"""What the features above the directory tell it about people, without the directory importing them.

Each feature adds its entry when its models are imported, as the merge does with `REFERENCES`.
"""

# Signs of life, each `(since) -> a SELECT of programmer ids`: answered an invitation, came to a slot,
# took part in an exchange. A record with none for three years is proposed for erasure.
ACTIVITY: list = []

# The directory's filters that other features know the answer to, `name -> (value) -> a condition on
# Programmer, or None to leave the list as it is`: "came to this edition", "last contact".
FILTERS: dict = {}
