"""Chinese first, English complete: every user-facing string has its zh_Hans
translation, the compiled catalogs match their sources, and no string in the
code is missing from them."""
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)
SOURCE_DIRS = ["config", "lib", "org", "notifications", "supervision", "petitions", "dispatch", "evaluation",
               "disclosure", "citizens", "open311", "knowledge", "hotline", "channels", "templates",
               "locale"]


def test_there_are_catalogs():
    assert len(CATALOGS) >= 5


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_is_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalog_matches_its_source(path):
    compiled = polib.mofile(str(path.with_suffix(".mo")))
    source = polib.pofile(str(path))
    as_pairs = lambda catalog: {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in catalog if e.msgid and not e.obsolete}  # noqa: E731
    assert as_pairs(compiled) == as_pairs(source)


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (CI installs it)")
def test_no_string_in_the_code_is_missing_from_the_catalogs(tmp_path):
    for name in SOURCE_DIRS:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v", "0"],
                   cwd=tmp_path, check=True, env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin",
                                                  "PORTAL_VAR_DIR": str(tmp_path / "var")})
    missing = []
    for path in tmp_path.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        missing += [f"{path.relative_to(tmp_path)}: {e.msgid}" for e in polib.pofile(str(path)).untranslated_entries()]
    assert missing == []


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request(client, city):
    page = client.get("/petitions/new/").content.decode()
    assert "提交诉求" in page and "我要反映" in page
    client.cookies["django_language"] = "en"
    page = client.get("/petitions/new/").content.decode()
    assert "Submit petition" in page and "提交诉求" not in page
