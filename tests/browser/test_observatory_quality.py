"""The observatory and the indicator panel pass the quality gates (axe-core, the Nu HTML checker)."""

import pytest

from tests.browser.test_quality_gates import check_pages

pytestmark = pytest.mark.browser


def test_observatory_and_indicator_panel_pass_axe_and_the_html_checker(
    browser_page, live_server, demo_site, axe_source, vnu_command, tmp_path, settings
):
    settings.ROOT_URLCONF = "benchmarks.observatory_urls"  # adds a page holding the panel
    targets = {
        ("observatory", "fr"): "/fr/territoires/observatoire/",
        ("observatory", "en"): "/en/territories/observatory/?indicateur=frequentation&tri=nom",
        ("observatory-computed", "fr"): "/fr/territoires/observatoire/?indicateur=projets&annee=2021",
        ("observatory-bad-parameters", "fr"): "/fr/territoires/observatoire/?indicateur=x&region=zz&tri=y",
        ("indicator-panel-commune", "fr"): "/fr/panneau-indicateurs/commune/80001/",
        ("indicator-panel-commune", "en"): "/en/panneau-indicateurs/commune/80001/",
        ("indicator-panel-department", "fr"): "/fr/panneau-indicateurs/departement/80/",
    }
    check_pages(browser_page, live_server, targets, axe_source, vnu_command, tmp_path)
