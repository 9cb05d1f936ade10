"""No Docker engine runs here, so the compose file and Dockerfile are checked by reading them:
every module, settings module and file they name must exist in this checkout."""

import importlib.util
import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat")
# `migrate` runs once, then exits; `proxy` is the only published service.
ONE_SHOT = "migrate"
MONITORING = {"prometheus", "grafana"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command_text(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def _module_exists(dotted: str) -> bool:
    return importlib.util.find_spec(dotted) is not None


def test_compose_has_the_production_shape():
    services = _compose()["services"]

    assert set(services) == {"postgres", "redis", "proxy", ONE_SHOT, *APP_SERVICES, *MONITORING}
    # Monitoring is optional: only `--profile monitoring` starts it.
    assert {name for name, service in services.items() if "profiles" in service} == MONITORING
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["beat"]["deploy"]["replicas"] == 1


def test_every_service_has_a_healthcheck_except_beat():
    services = _compose()["services"]

    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name


def test_data_lives_in_named_volumes():
    compose = _compose()

    for name in ("postgres", "redis"):
        for volume in compose["services"][name]["volumes"]:
            volume_name = volume.split(":", 1)[0]
            assert volume_name in compose["volumes"], volume


def test_app_services_take_their_environment_from_dot_env_and_wait_for_healthy_backends():
    services = _compose()["services"]

    for name in (*APP_SERVICES, ONE_SHOT):
        service = services[name]
        assert service["env_file"] == ".env"
        settings_module = service["environment"]["DJANGO_SETTINGS_MODULE"]
        assert _module_exists(settings_module), settings_module
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_migrations_run_once_before_every_app_service_starts():
    services = _compose()["services"]
    migrate = services[ONE_SHOT]

    assert _command_text(migrate) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"  # a one-shot: restarted, it would run forever
    for name in APP_SERVICES:
        condition = services[name]["depends_on"][ONE_SHOT]["condition"]
        assert condition == "service_completed_successfully", name
    # Any `migrate` takes the advisory lock: this project's command replaces Django's.
    from django.core.management import get_commands

    assert get_commands()["migrate"] == "common"


def test_the_web_service_serves_the_dockerfiles_gunicorn_command_behind_the_proxy_only():
    services = _compose()["services"]
    web, proxy = services["web"], services["proxy"]

    assert "command" not in web  # the Dockerfile's CMD: one definition of the server
    assert "ports" not in web
    assert web["environment"]["API_NUM_PROXIES"] == "1"
    assert proxy["ports"] == ["8000:8000"]
    assert [name for name, service in services.items() if "ports" in service] == [
        "proxy",
        "grafana",
    ]
    # Grafana only on the host's loopback: the proxy is the one public port.
    assert services["grafana"]["ports"] == ["127.0.0.1:3000:3000"]
    # Scalable: no fixed container names (`--scale web=3`); beat stays one.
    assert not any("container_name" in service for service in services.values())
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    cmd = json.loads(re.search(r"^CMD\s+(.+)$", DOCKERFILE.read_text(), re.MULTILINE).group(1))
    bind = cmd[cmd.index("--bind") + 1]
    assert proxy["environment"]["TRACKER_UPSTREAM"] == "web:" + bind.rsplit(":", 1)[1]
    wsgi_module, wsgi_name = cmd[1].split(":")
    assert hasattr(importlib.import_module(wsgi_module), wsgi_name)


def test_the_proxy_runs_the_committed_template_with_a_value_for_each_of_its_variables():
    from django.conf import settings

    from deploy.frontdoor import TEMPLATE, language_values, template_variables

    proxy = _compose()["services"]["proxy"]
    image, tag = proxy["image"].split(":")
    assert image == "nginx" and re.fullmatch(r"\d+\.\d+\.\d+(-alpine)?", tag), tag
    mount, target = proxy["volumes"][0].split(":")[:2]
    assert (ROOT / mount).resolve() == TEMPLATE
    assert target == "/etc/nginx/templates/default.conf.template"  # the image renders these
    assert set(proxy["environment"]) == template_variables()
    # Its body limit is the app's: the variable from .env, with the same default.
    limit = re.fullmatch(
        r"\$\{DATA_UPLOAD_MAX_MEMORY_SIZE:-(\d+)\}",
        proxy["environment"]["DATA_UPLOAD_MAX_MEMORY_SIZE"],
    )
    assert limit and int(limit.group(1)) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # The cache's bypass names the app's session cookie.
    assert f"$cookie_{settings.SESSION_COOKIE_NAME}" in TEMPLATE.read_text()
    # Its languages are the app's: the cache keys on one of them.
    languages = {name: proxy["environment"][name] for name in language_values()}
    assert languages == language_values()
    assert languages["TRACKER_LANGUAGES"].split("|") == [code for code, _ in settings.LANGUAGES]


def test_worker_and_beat_name_the_celery_app_and_its_scan_task_exists():
    services = _compose()["services"]
    for name in ("worker", "beat"):
        command = _command_text(services[name])
        app = re.search(r"-A\s+([\w.]+)", command).group(1)
        assert importlib.import_module(app).app.main == "tracker"
    assert "worker" in _command_text(services["worker"])
    assert "beat" in _command_text(services["beat"])


def test_the_beat_schedule_names_registered_tasks():
    from django.conf import settings

    from config.celery_app import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_the_dockerfile_copies_what_exists_and_serves_the_wsgi_app():
    dockerfile = DOCKERFILE.read_text()

    for source in re.findall(r"^COPY\s+(.+?)\s+\S+$", dockerfile, flags=re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), f"Dockerfile copies {path}, which does not exist"
    assert "config.wsgi:application" in dockerfile
    assert re.search(r"^USER\s+\w+", dockerfile, flags=re.MULTILINE), "runs as root"


def test_every_environment_variable_the_settings_read_is_documented_in_env_example():
    documented = set(
        re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    read = set()
    for path in [
        *(ROOT / "config" / "settings").glob("*.py"),
        ROOT / "config" / "embedded.py",
        ROOT / "config" / "launcher.py",
    ]:
        text = path.read_text()
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
        read |= set(re.findall(r'environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', text))

    assert read, "found no variables: the pattern is wrong"
    assert read - documented == set()
