#!/usr/bin/env python3
"""Static check of the container and Kubernetes files (no image can be pulled
and no cluster is reached): every file parses, and the probes, port, commands,
settings and metric names they use exist in the service. Prints one line per
problem; exits 1 when there is any."""
import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
problems = []


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def check(ok, message):
    if not ok:
        problems.append(message)


sources = "".join(read(p) for p in glob.glob("api/*.c", root_dir=ROOT))
settings = set(re.findall(r'"(OPOP_[A-Z_]+)"', sources))
routes = set(re.findall(r'\{"GET", "(/[a-z]+)"', read("api/routes.c")))
commands = set(re.findall(r'strcmp\(cmd, "([a-z]+)"\)', read("api/main.c")))
metrics = set(re.findall(r"# TYPE (opop_[a-z_]+) ", read("api/metrics.c")))

docs = {}
for path in sorted(glob.glob("deploy/k8s/*.yaml", root_dir=ROOT)):
    for doc in yaml.safe_load_all(read(path)):
        check(isinstance(doc, dict) and "kind" in doc and "apiVersion" in doc, f"{path}: not a Kubernetes object")
        docs[doc["kind"]] = doc

for kind in ["Deployment", "Service", "ConfigMap", "Secret", "Job", "PodDisruptionBudget", "HorizontalPodAutoscaler"]:
    check(kind in docs, f"deploy/k8s: no {kind}")

config = docs["ConfigMap"]["data"]
secret = docs["Secret"]["stringData"]
for name in list(config) + list(secret):
    check(name in settings, f"ConfigMap/Secret: {name} is not a setting the service reads")
port = int(config["OPOP_PORT"])
check(config["OPOP_BIND"] == "0.0.0.0", "ConfigMap: OPOP_BIND must listen beyond the pod's loopback")

dep = docs["Deployment"]
check(dep["spec"]["replicas"] == 3, "Deployment: 3 replicas")
pod = dep["spec"]["template"]["spec"]
check(pod["securityContext"].get("runAsNonRoot") is True, "Deployment: runAsNonRoot")
for c in pod["containers"] + docs["Job"]["spec"]["template"]["spec"]["containers"]:
    name = c["name"]
    check(c["securityContext"].get("readOnlyRootFilesystem") is True, f"{name}: read-only root filesystem")
    check(c["securityContext"].get("allowPrivilegeEscalation") is False, f"{name}: no privilege escalation")
    check("requests" in c["resources"] and "memory" in c["resources"].get("limits", {}), f"{name}: resources")
    for arg in c.get("args", []):
        check(arg in commands, f"{name}: opop-api has no command {arg}")
    refs = [e.get("configMapRef", e.get("secretRef", {})).get("name") for e in c.get("envFrom", [])]
    check(refs == ["opop-api", "opop-api"], f"{name}: settings from the ConfigMap and the Secret")
api = pod["containers"][0]
ports = {p["name"]: p["containerPort"] for p in api["ports"]}
check(ports.get("http") == port, "Deployment: containerPort is OPOP_PORT")
for probe, path in [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")]:
    get = api[probe]["httpGet"]
    check(get["path"] == path and get["path"] in routes, f"Deployment: {probe} on {path}, a route of the service")
    check(get["port"] in ("http", port), f"Deployment: {probe} port")
check(docs["Job"]["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"], "Job: runs migrate")
labels = dep["spec"]["template"]["metadata"]["labels"]
for kind, selector in [("Service", docs["Service"]["spec"]["selector"]),
                       ("PodDisruptionBudget", docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"])]:
    check(all(labels.get(k) == v for k, v in selector.items()), f"{kind}: selects the Deployment's pods")
check(docs["Service"]["spec"]["ports"][0]["targetPort"] in ("http", port), "Service: targets the http port")
check(docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"], "HPA target")
check(docs["HorizontalPodAutoscaler"]["spec"]["minReplicas"] >= 3, "HPA: at least the Deployment's replicas")

containerfile = read("deploy/Containerfile")
check(f"EXPOSE {port}" in containerfile, "Containerfile: EXPOSE OPOP_PORT")
check(re.search(r"^USER [0-9]+$", containerfile, re.M) is not None, "Containerfile: a numeric non-root USER")
check('ENTRYPOINT ["/usr/local/bin/opop-api"]' in containerfile, "Containerfile: entrypoint")
check(". deploy/lib/pg.sh && opop_install" in containerfile, "Containerfile: installs the shared package list")
for src in re.findall(r"^COPY (?!--from)(\S+) ", containerfile, re.M):
    check(src == "." or os.path.exists(os.path.join(ROOT, src)), f"Containerfile: COPY {src} does not exist")
ignored = read(".containerignore").split()
for path in ["build", ".local", ".git", "node_modules"]:
    check(path in ignored, f".containerignore: {path}")

rules = yaml.safe_load(read("deploy/prometheus/alerts.yml"))
for rule in rules["groups"][0]["rules"]:
    for name in set(re.findall(r"\b(opop_[a-z_]+)", rule["expr"])):
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        check(name in metrics or family in metrics, f"alerts.yml {rule['alert']}: no metric {name}")

unit = read("deploy/opop-api.service")
for option in ["NoNewPrivileges=true", "ProtectSystem=strict", "CapabilityBoundingSet=", "SystemCallFilter=",
               "RestrictAddressFamilies=", "PrivateDevices=true", "MemoryDenyWriteExecute=true"]:
    check(option in unit, f"opop-api.service: {option}")

# The API gzips its own answers (its own ETags, Vary): the proxies must not compress again.
def directives(path):
    return [line.split("#")[0].split() for line in read(path).splitlines()]


check(not any(d and d[0] == "compression" for d in directives("deploy/haproxy.cfg")),
      "haproxy.cfg: a compression line (the API gzips its own answers)")
nginx = directives("deploy/nginx.conf")
check(["gzip", "on;"] not in nginx, "nginx.conf: gzip on (the API gzips its own answers)")
# Debian's /etc/nginx/nginx.conf turns gzip on for the whole http block: it is turned off here explicitly.
check(["gzip", "off;"] in nginx, "nginx.conf: gzip off must be explicit")

for p in problems:
    print(p)
print(f"deploy check: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
