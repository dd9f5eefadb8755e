"""docker-compose.yml keeps its secrets in .env, never in git, and its production settings pass
Django's deployment checks (issue 13)."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "PORTAL_SANMIN_CODE_KEY")
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[?-][^}]*)?\}")


def example_env() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_compose_file_and_the_example_hold_no_secret():
    example = example_env()
    assert {name: example[name] for name in SECRETS} == {name: "" for name in SECRETS}
    services = compose()["services"]
    for service in services.values():
        for name, value in (service.get("environment") or {}).items():
            if re.search(r"(?<!REQUIRE)_(SECRET_KEY|PASSWORD|TOKEN)$", name):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", str(value)), f"{name} is written in the compose file"
    database_url = services["web"]["environment"]["DATABASE_URL"]
    assert re.match(r"postgres://portal:\$\{POSTGRES_PASSWORD:\?[^}]+\}@", database_url)
    assert services["web"]["env_file"] == ".env"
    # .env stays out of git and out of the image (the Dockerfile copies the whole folder).
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_the_example_production_settings_pass_the_deploy_checks(tmp_path):
    # The example as a deployer fills it in, plus what the compose file and the Dockerfile set.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "REDIS_", "CELERY_"))}
    filled = {**example_env(), **{name: secrets.token_urlsafe(50) for name in SECRETS}}
    web = compose()["services"]["web"]["environment"]
    env.update(filled)
    env.update({name: INTERPOLATION.sub(lambda m: filled[m.group(1)], str(value)) for name, value in web.items()})
    env["PORTAL_VAR_DIR"] = str(tmp_path)  # the Dockerfile's /var/lib/portal
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
