"""Kombu's filesystem transport (the embedded broker, `filesystem://`) with a message file written atomically.

Kombu 5.7 creates the message file, then locks and writes it; a consumer that lists the folder in between moves
and reads an empty file, fails on it ("Unrecoverable error: JSONDecodeError") and the worker stops. Here the
message is written under a name the consumer does not pick up (a leading dot, a `.part` end) and renamed into
place, which is atomic within one folder. `yingji.celery` registers this class as the `filesystem` transport.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

ALIAS = "filesystem"
CLASS_PATH = "yingji.filesystem_broker:Transport"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs) -> None:
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # The consumer takes only "<stamp>.<queue>.msg"; ".<name>.part" is never taken half-written.
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
