"""The blank template of an importer: its header row and one example row, as the office fills it in."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from projects.tabular.writing import content_disposition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_response(importer) -> HttpResponse:
    columns = [c for c in importer.file_columns() if c.key in importer.example or c.required]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.label)[:31]
    sheet.append([c.label for c in columns])
    sheet.append([importer.example.get(c.key, "") for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        width = max(len(column.label), len(str(importer.example.get(column.key, "")))) * 2 + 2
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 60)
    sheet.freeze_panes = "A2"
    workbook.properties.created = timezone.now().replace(tzinfo=None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    name = _("%(label)s导入模板.xlsx") % {"label": importer.label}
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(name, fallback_stem="template")
    return response
