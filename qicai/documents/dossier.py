"""项目档案: one project's dossier as a PDF, everything the reader may see of it.

The portal's dossier page reads it (``qicai.portal.dossier.dossier_context``: the project's own rows,
``project_summary`` for money and service, the evaluations, agreements and timeline through the reader's
``visible_to``); this prints the same context, so paper and screen agree. The people served appear as
counts only. The project's social workers are listed with their phone numbers masked
(``projects.privacy``: a full number is never printed).
"""

from django.utils.translation import gettext as _

from projects.models import Project, SocialWorker
from projects.privacy import masked
from qicai import pdf
from qicai.portal.dossier import dossier_context


def dossier_title(project: Project) -> str:
    return _("项目档案：%(code)s %(title)s") % {"code": project.code, "title": project.title}


def dossier_filename(project: Project) -> str:
    return pdf.pdf_filename(_("%(code)s 项目档案") % {"code": project.code})


def dossier_print_context(request, project: Project) -> dict:
    workers = SocialWorker.objects.visible_to(request.user).filter(projects=project).order_by("-is_supervisor", "name")
    return {
        **dossier_context(request, project),
        "social_workers": [(worker, masked(worker, "phone")) for worker in workers],
    }


def dossier_pdf(request, project: Project) -> bytes:
    return pdf.render_pdf("print/dossier.html", dossier_print_context(request, project), title=dossier_title(project))
