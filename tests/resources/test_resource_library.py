import datetime
import html as htmllib
import re

from hub.models import Thematic
from resources.factories import ResourceIndexPageFactory, ResourcePageFactory
from resources.models import ResourceType


def titles_in(html):
    return {htmllib.unescape(t) for t in re.findall(r'class="fr-card__title"[^>]*><a href="[^"]+">([^<]+)</a>', html)}


def test_resource_library_filters_by_type_thematic_and_year(client, core_site):
    index = ResourceIndexPageFactory(parent=core_site)
    commerce = Thematic.objects.get(slug="commerce", locale__language_code="fr")
    ResourcePageFactory(
        parent=index,
        title="Guide du commerce",
        resource_type=ResourceType.GUIDE,
        date=datetime.date(2024, 3, 1),
        thematics=[commerce],
    )
    ResourcePageFactory(
        parent=index, title="Kit de concertation", resource_type=ResourceType.KIT, date=datetime.date(2023, 6, 1)
    )
    ResourcePageFactory(
        parent=index,
        title="Replay atelier",
        resource_type=ResourceType.REPLAY,
        date=datetime.date(2024, 9, 1),
        thematics=[commerce],
    )

    html = client.get("/fr/ressources/").content.decode()
    assert titles_in(html) == {"Guide du commerce", "Kit de concertation", "Replay atelier"}
    html = client.get("/fr/ressources/", {"type": ["guide", "replay"], "annee": "2024"}).content.decode()
    assert titles_in(html) == {"Guide du commerce", "Replay atelier"}
    html = client.get("/fr/ressources/", {"thematique": "commerce", "type": "kit"}).content.decode()
    assert "Aucune ressource ne correspond" in html
    assert client.get("/fr/ressources/", {"type": "inconnu", "annee": "x"}).status_code == 200
    page = client.get(index.get_children().first().url)
    assert page.status_code == 200 and 'property="og:title"' in page.content.decode()
