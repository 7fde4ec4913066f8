"""Reading the PDFs the documents make: their text (pdftotext), fonts (pdffonts) and page count."""

import re
import subprocess
import tempfile
from pathlib import Path


def _run(tool: str, data: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        return subprocess.run(
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def text(data: bytes) -> str:
    """The PDF's text as pdftotext reads it, without the spaces layout puts between words."""
    return re.sub(r"[ \u3000]+", "", _run("pdftotext", data, "-enc", "UTF-8"))


def fonts(data: bytes) -> list[dict]:
    """pdffonts' table: name, type, encoding, emb, sub, uni for each font."""
    lines = _run("pdffonts", data).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name, type (may hold spaces), encoding, emb, sub, uni, object id, generation
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def pages(data: bytes) -> int:
    info = _run("pdfinfo", data)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
