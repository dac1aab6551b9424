"""Answer links in message texts: stored without their secret, made whole only for the person's own channel.

An answer link (`/warnings/ack/<recipient id>-<token>/`) is the person's proof of identity: whoever holds it can
answer in their name. So no stored text carries the token. A message is written with the link's key hidden
(`/warnings/ack/<id>-****/`, `hidden_key_sql`), which is what the API, the pages, the exports and the history
tables show; `reveal` puts the token back only as the message is handed to the SMS or voice adapter that
delivers it to that person. `redact` hides the token in any text (old rows, logs of a gateway).

No Django imports: the gateway simulator uses this module too.
"""

from __future__ import annotations

import re

HIDDEN = "****"
PATH = "/warnings/ack/"

# The key of a link: "<id>-<token>" (or, in links sent before ids were added, the token alone). Tokens come
# from `secrets.token_urlsafe`, so a hidden key ("12-****") never matches again.
_LINK = re.compile(r"(/warnings/ack/)(\d+-)?[A-Za-z0-9_-]+(?=/)")


def hidden_key(recipient_id: int) -> str:
    """The link's key as stored and shown: the recipient's id, the token hidden."""
    return f"{recipient_id}-{HIDDEN}"


def hidden_key_sql(alias: str) -> str:
    """`hidden_key` in SQL, for the recipient (or staged row) `alias`."""
    return f"CAST({alias}.id AS TEXT) || '-{HIDDEN}'"


def reveal(text: str, recipient_id: int, token: str) -> str:
    """The text as the person receives it: their hidden link made whole. Only for their own channel."""
    return text.replace(f"{PATH}{hidden_key(recipient_id)}/", f"{PATH}{recipient_id}-{token}/")


def redact(text: str) -> str:
    """`text` with the token of every answer link in it hidden."""
    return _LINK.sub(lambda match: f"{match.group(1)}{match.group(2) or ''}{HIDDEN}", text)
