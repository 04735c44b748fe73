"""An export file is whole or absent: it is written under a temporary name beside the
target (``.archive.jsonl.partial-…``), flushed to disk, and renamed only once its last line
is written. A full disk, an interruption (Ctrl+C, a killed process: the temporary file is
removed on the way out where Python can, and never has the target's name) or any error
leaves no file that looks complete, and an earlier export at that name as it was."""

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_whole(target: Path, chunks: Iterable[str]) -> int:
    """Write ``chunks`` to ``target`` all or nothing; the bytes written."""
    target = Path(target)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.partial-", text=False
    )
    written = 0
    try:
        with os.fdopen(handle, "wb") as out:
            buffer = []
            size = 0
            for chunk in chunks:
                data = chunk.encode("utf-8")
                buffer.append(data)
                size += len(data)
                if size >= 1 << 20:
                    out.write(b"".join(buffer))
                    written += size
                    buffer, size = [], 0
            out.write(b"".join(buffer))
            written += size
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written
