"""The `replicas` compose profile (compose.yaml, deploy/), checked without a container engine: two bot replicas
with the same settings and volume, PostgreSQL, Redis and a proxy that spreads Telegram's webhooks to both, and
Prometheus scraping both; every name one file uses is defined where it points."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from happykids.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
PROFILE = "replicas"


def in_profile(name: str) -> bool:
    profiles = SERVICES[name].get("profiles")
    return profiles is None or PROFILE in profiles  # a service without profiles always starts


def replicas() -> list[str]:
    return [name for name, service in SERVICES.items() if service.get("image") == SERVICES["bot"]["image"]
            and in_profile(name)]


def test_the_profile_starts_two_replicas_postgres_redis_and_a_proxy():
    started = {name for name in SERVICES if in_profile(name)}
    assert started == {"bot", "bot-2", "postgres", "redis", "proxy"}
    assert replicas() == ["bot", "bot-2"]
    assert "profiles" not in SERVICES["bot"], "plain `docker compose up` is still the one bot on SQLite"


def test_the_replicas_are_the_same_bot_on_a_shared_volume():
    first, second = (SERVICES[name] for name in replicas())
    for key in ("image", "env_file", "environment", "volumes", "stop_grace_period", "depends_on"):
        assert first[key] == second[key], key
    assert first["volumes"] == ["data:/data"]  # receipts saved by one replica, archived by another
    env = first["environment"]
    assert env["METRICS_HOST"] == "0.0.0.0" and env["WEBHOOK_HOST"] == "0.0.0.0"  # noqa: S104 - compose network
    assert "metrics_host" in Settings.model_fields and "metrics_port" in Settings.model_fields
    assert set(first["depends_on"]) == {"postgres", "redis"}


def test_the_proxy_spreads_webhooks_to_every_replica():
    proxy = SERVICES["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    text = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    port = SERVICES["bot"]["environment"]["WEBHOOK_PORT"]
    [upstreams] = re.findall(r"^\s*reverse_proxy (.+?) \{", text, re.M)
    assert upstreams.split() == [f"{name}:{port}" for name in replicas()]
    assert "{$WEBHOOK_DOMAIN}" in text and "WEBHOOK_DOMAIN" in proxy["environment"]
    assert "443:443" in proxy["ports"] and set(proxy["depends_on"]) == set(replicas())


def test_prometheus_scrapes_every_replica_and_every_named_volume_exists():
    scrape = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text(encoding="utf-8"))
    [job] = scrape["scrape_configs"]
    assert job["static_configs"][0]["targets"] == [f"{name}:9100" for name in replicas()]
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "METRICS_PORT=9100" in guide and "COMPOSE_PROFILES=replicas" in guide
    assert "happykids db copy-to-postgres" in guide
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert all(re.search(rf"^# {name}=", example, re.M) and f"`{name}`" in guide
               for name in ("METRICS_PORT", "METRICS_HOST"))
    named = {v.split(":")[0] for s in SERVICES.values() for v in s.get("volumes", []) if not v.startswith(".")}
    assert named == set(COMPOSE["volumes"])
    for service in SERVICES.values():
        assert set(service.get("depends_on", ())) <= set(SERVICES)


def test_the_database_has_room_for_both_replicas_pools():
    """Each replica opens up to DATABASE_POOL_SIZE (60 by default) + 10 connections (db/engine.py); PostgreSQL's
    default max_connections of 100 is too few for two, and the second would fail with «too many clients»."""
    from happykids.db.engine import DEFAULT_POOL_SIZE

    command = COMPOSE["services"]["postgres"]["command"]
    allowed = int(next(arg.split("=", 1)[1] for arg in command if arg.startswith("max_connections=")))
    replicas = [name for name, service in COMPOSE["services"].items() if name.startswith("bot")]
    assert len(replicas) == 2
    assert allowed >= len(replicas) * (DEFAULT_POOL_SIZE + 10) + 10  # and a few for psql, pg_dump, the CLI
