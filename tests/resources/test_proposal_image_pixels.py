"""Issue 10, point 30 (proposal side): a proposal's photo is refused by its pixel count, before decoding."""

import PIL.Image
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from resources.models import ProjectPage
from tests.network.test_issue10_network import png_header_bomb

URL = "/fr/projetotheque/proposer/"

pytestmark = pytest.mark.django_db


def test_a_proposal_photo_with_too_many_pixels_is_a_field_error(client, projetotheque, django_user_model, monkeypatch):
    decoded = []
    original_load = PIL.Image.Image.load
    monkeypatch.setattr(PIL.Image.Image, "load", lambda self: decoded.append(self.size) or original_load(self))
    member = django_user_model.objects.create_user("camille", "camille@mairie-doullens.fr", "un-mot-de-passe-solide")
    client.force_login(member)
    count = ProjectPage.objects.count()
    upload = SimpleUploadedFile("halles.png", png_header_bomb(), content_type="image/png")
    data = {
        "title": "Halles gourmandes de Doullens",
        "commune": "80253",
        "summary": "Les halles rouvrent.",
        "programmes": ["pvd"],
        "thematics": ["commerce"],
        "status": "en-cours",
        "start_year": "2024",
        "context": "Des halles fermées.",
        "actions": "Travaux.",
        "results": "",
        "image_alt": "Les halles",
        "website": "",
        "image": upload,
    }
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert "trop grande" in html and "fr-error-text" in html
    assert (13_000, 13_000) not in decoded
    assert ProjectPage.objects.count() == count
