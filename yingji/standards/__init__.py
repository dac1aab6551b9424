"""Pure functions from national standards and specifications.

No Django imports here: each module cites the clause it implements and is
tested against the standard's own tables.
"""
