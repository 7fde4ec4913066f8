"""The kinds of documents generated in the background (``qicai.documents.generated``), by key.

A new one (the annual report) is a ``DocumentKind`` in its own module, added here.
"""

from qicai.documents.certificates import ROUND_CERTIFICATES
from qicai.documents.report import ANNUAL_REPORT

KINDS = {kind.key: kind for kind in (ANNUAL_REPORT, ROUND_CERTIFICATES)}
