"""Form templates an administrator uploads in the admin: checked before they are stored,
used for the issuing unit's commune (or every commune), versions kept, audited."""
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xaso.core.models import AuditRecord, User
from xaso.dossiers import documents, services
from xaso.dossiers.models import FormTemplate
from xaso.dossiers.services import DossierError

from .test_documents import docx_text, pdf_text

pytestmark = pytest.mark.django_db

BUILTIN_DOCX = (documents.BUILTIN_DOCX / "receipt.docx").read_bytes()


def html_file(text, name="receipt.html"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/html")


def docx_with(replace_from, replace_to):
    """The built-in receipt with a piece of its text replaced (to make a template)."""
    src = zipfile.ZipFile(io.BytesIO(BUILTIN_DOCX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert replace_from in text
                data = text.replace(replace_from, replace_to, 1).encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="x" * 12, kind=User.Kind.OFFICIAL)


def receipt(make_intake, **kw):
    return make_intake(**kw).documents.get(kind="receipt")


def test_checks_refuse_what_cannot_be_used():
    services.check_form_template("html", "<p>{{ code }}</p>".encode())
    services.check_form_template("docx", BUILTIN_DOCX)
    for fmt, data, message in [
        ("html", "<p>{% if code %}</p>".encode(), "Mẫu có lỗi"),
        ("html", "<p>{{ code }}</p>".encode("utf-16"), "UTF-8"),
        ("html", b"x" * (2 * 1024 * 1024 + 1), "2 MB"),
        ("docx", b"not a zip", ".docx"),
        ("docx", docx_with("{{", "{{ code {{"), "Mẫu có lỗi"),
        ("pdf", b"%PDF", "HTML|DOCX"),
        # Python internals: refused by Django's template syntax and by Jinja's sandbox
        ("html", "<p>{{ code.__class__ }}</p>".encode(), "Mẫu có lỗi"),
        ("docx", docx_with("{{", "{{ ''.__class__.__mro__[1].__subclasses__() }} {{"), "Mẫu có lỗi"),
    ]:
        with pytest.raises(DossierError, match=message):
            services.check_form_template(fmt, data)


def test_uploaded_template_is_used_per_commune_then_for_all(world, make_intake, superuser, settings):
    doc = receipt(make_intake)
    assert "Mẫu của tỉnh" not in pdf_text(documents.render_pdf(doc))
    everyone = services.upload_form_template(superuser, kind="receipt", fmt="html", file=html_file("<p>Mẫu của tỉnh {{ code }}</p>"))
    assert "Mẫu của tỉnh " + doc.dossier.code in pdf_text(documents.render_pdf(doc))
    own = services.upload_form_template(superuser, kind="receipt", fmt="html", file=html_file("<p>Mẫu riêng Ngọc Liên {{ code }}</p>"), local_government=world.commune)
    assert "Mẫu riêng Ngọc Liên" in pdf_text(documents.render_pdf(doc))
    # another commune's dossier still gets the template for all
    other_doc = receipt(make_intake, receiving_unit=world.other_commune, officer=world.outsider_reception)
    assert "Mẫu của tỉnh" in pdf_text(documents.render_pdf(other_doc))
    # a new version replaces the commune's; the old one is kept, not in use
    newer = services.upload_form_template(superuser, kind="receipt", fmt="html", file=html_file("<p>Bản 2 {{ code }}</p>"), local_government=world.commune)
    own.refresh_from_db()
    assert not own.active and newer.active and "Bản 2" in pdf_text(documents.render_pdf(doc))
    # back to the earlier version, then to the one for all, then to the built-in one
    services.set_form_template_in_use(superuser, own, True)
    newer.refresh_from_db()
    assert not newer.active and "Mẫu riêng Ngọc Liên" in pdf_text(documents.render_pdf(doc))
    services.set_form_template_in_use(superuser, own, False)
    assert "Mẫu của tỉnh" in pdf_text(documents.render_pdf(doc))
    services.set_form_template_in_use(superuser, everyone, False)
    assert "GIẤY TIẾP NHẬN" in pdf_text(documents.render_pdf(doc)).upper()
    assert AuditRecord.objects.filter(verb="form_template.upload").count() == 3
    assert AuditRecord.objects.filter(verb="form_template.not_in_use").count() == 2


def test_uploaded_word_template(world, make_intake, superuser):
    doc = receipt(make_intake)
    services.upload_form_template(superuser, kind="receipt", fmt="docx", file=SimpleUploadedFile("r.docx", docx_with("{{", "MẪU WORD RIÊNG {{")))
    assert "MẪU WORD RIÊNG" in docx_text(documents.render_docx(doc))


def test_who_may_change_templates(world, superuser):
    tpl = html_file("<p>{{ code }}</p>")
    with pytest.raises(DossierError, match="quản trị|administrator"):
        services.upload_form_template(world.reception, kind="receipt", fmt="html", file=tpl, local_government=world.commune)
    admin = world.admin  # administrator of Ngọc Liên, with the admin permission
    admin.user_permissions.add(Permission.objects.get(codename="add_formtemplate"))
    admin = User.objects.get(pk=admin.pk)  # permissions are cached per object
    assert services.upload_form_template(admin, kind="receipt", fmt="html", file=tpl, local_government=world.commune).active
    for commune in (world.other_commune, None):  # another commune's, or everyone's
        with pytest.raises(DossierError):
            services.upload_form_template(admin, kind="receipt", fmt="html", file=html_file("<p>x</p>"), local_government=commune)
    assert FormTemplate.objects.count() == 1


def test_admin_pages(client, world, superuser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    client.force_login(superuser)
    url = reverse("admin:dossiers_formtemplate_add")
    page = client.get(url)
    assert page.status_code == 200 and "/ho-so/mau-bieu/" in page.content.decode()
    bad = client.post(url, {"kind": "receipt", "format": "html", "local_government": world.commune.pk, "note": "",
                            "file": html_file("<p>{% for %}</p>")})
    assert bad.status_code == 200 and "Mẫu có lỗi ở các thẻ" in bad.content.decode() and not FormTemplate.objects.exists()
    ok = client.post(url, {"kind": "receipt", "format": "html", "local_government": world.commune.pk, "note": "Mẫu 2027",
                           "file": html_file("<p>{{ code }}</p>")})
    assert ok.status_code == 302, ok.content.decode()[:2000]
    tpl = FormTemplate.objects.get()
    assert tpl.active and tpl.uploaded_by == superuser and tpl.file.read() == b"<p>{{ code }}</p>"
    # built-in templates to start from
    listing = client.get(reverse("dossiers:builtin_form_templates"))
    assert listing.status_code == 200 and "receipt.docx" in listing.content.decode()
    r = client.get(reverse("dossiers:builtin_form_template", args=["receipt", "docx"]))
    assert r.status_code == 200 and r.getvalue() == BUILTIN_DOCX and r["Content-Disposition"].startswith("attachment")
    html = client.get(reverse("dossiers:builtin_form_template", args=["receipt", "html"])).getvalue().decode()
    assert "{{ code }}" in html and "{% " in html  # the template itself, not a rendered form
    assert client.get(reverse("dossiers:builtin_form_template", args=["nope", "html"])).status_code == 404
    client.force_login(world.specialist)
    assert client.get(reverse("dossiers:builtin_form_templates")).status_code == 403
