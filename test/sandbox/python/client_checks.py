"""One scenario of the official Kubernetes Python client against the sandbox, as a user would write it.

Reads {"kubeconfig", "scenario", "args"} as JSON on stdin and prints one JSON object: what the client saw.
The Jest test (python-client.test.ts) decides whether that is right; this script only drives the client.
"""
import json
import sys
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

job = json.load(sys.stdin)
config.load_kube_config(config_file=job["kubeconfig"])
core = client.CoreV1Api()
args = job.get("args", {})
ns = args.get("namespace", "default")


def api_error(e):
    body = json.loads(e.body) if e.body else {}
    return {"status": e.status, "reason": body.get("reason"), "message": body.get("message")}


def list_get():
    pods = core.list_namespaced_pod(ns)
    one = core.read_namespaced_pod(args["pod"], ns)
    try:
        core.read_namespaced_pod("no-such-pod", ns)
        missing = None
    except ApiException as e:
        missing = api_error(e)
    return {
        "names": sorted(p.metadata.name for p in pods.items),
        "resourceVersion": pods.metadata.resource_version,
        "pod": {"name": one.metadata.name, "phase": one.status.phase, "containers": [c.name for c in one.spec.containers]},
        "missing": missing,
    }


def selectors():
    by_label = core.list_namespaced_pod(ns, label_selector=args["labelSelector"])
    by_field = core.list_namespaced_pod(ns, field_selector=args["fieldSelector"])
    both = core.list_namespaced_pod(ns, label_selector=args["labelSelector"], field_selector="status.phase!=Running")
    try:
        core.list_namespaced_pod(ns, field_selector="spec.nope=1")
        bad = None
    except ApiException as e:
        bad = api_error(e)
    return {
        "byLabel": sorted(p.metadata.name for p in by_label.items),
        "byField": sorted(p.metadata.name for p in by_field.items),
        "labelNotRunning": sorted(p.metadata.name for p in both.items),
        "badField": bad,
    }


def logs():
    pod, container = args["pod"], args["container"]
    tail = core.read_namespaced_pod_log(pod, ns, container=container, tail_lines=3)
    stamped = core.read_namespaced_pod_log(pod, ns, container=container, tail_lines=2, timestamps=True)
    # follow: a live stream, read line by line, then closed by the client
    resp = core.read_namespaced_pod_log(pod, ns, container=container, follow=True, tail_lines=1, _preload_content=False)
    followed = []
    buf = b""
    for chunk in resp.stream(amt=None, decode_content=False):
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            followed.append(line.decode())
        if len(followed) >= 4:
            break
    resp.release_conn()
    previous = core.read_namespaced_pod_log(args["crashing"], ns, previous=True)
    try:
        core.read_namespaced_pod_log(pod, ns, container="nope")
        missing = None
    except ApiException as e:
        missing = api_error(e)
    try:
        core.read_namespaced_pod_log(pod, ns)
        unnamed = None
    except ApiException as e:
        unnamed = api_error(e)
    return {
        "tail": tail.splitlines(),
        "stamped": stamped.splitlines(),
        "followed": followed,
        "previous": previous.splitlines(),
        "missingContainer": missing,
        "noContainer": unnamed,
    }


def watch_events():
    w = watch.Watch()
    seen = []
    for event in w.stream(core.list_namespaced_pod, ns, resource_version=args["resourceVersion"], timeout_seconds=20):
        seen.append({"type": event["type"], "name": event["object"].metadata.name, "resourceVersion": event["object"].metadata.resource_version})
        if event["type"] == "DELETED" and event["object"].metadata.name == args["name"]:
            w.stop()
    return {"events": seen}


def watch_expired():
    w = watch.Watch()
    try:
        for _ in w.stream(core.list_namespaced_pod, ns, resource_version=args["resourceVersion"]):
            pass
        return {"error": None}
    except ApiException as e:
        return {"error": {"status": e.status, "reason": e.reason}}


def exec_streams():
    resp = stream(
        core.connect_get_namespaced_pod_exec, args["pod"], ns, container=args["container"],
        command=["sh", "-c", "read line; echo out:$line; echo err:$line >&2; exit 3"],
        stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False,
    )
    resp.write_stdin("hello\n")
    out, err = "", ""
    deadline = time.time() + 15
    while resp.is_open() and time.time() < deadline:
        resp.update(timeout=1)
        if resp.peek_stdout():
            out += resp.read_stdout()
        if resp.peek_stderr():
            err += resp.read_stderr()
    resp.close()
    ok = stream(core.connect_get_namespaced_pod_exec, args["pod"], ns, container=args["container"], command=["echo", "fine"], stdout=True, stderr=True, stdin=False, tty=False)
    return {"stdout": out, "stderr": err, "returncode": resp.returncode, "simple": ok}


def ephemeral():
    pod, target = args["pod"], args["target"]
    body = {"spec": {"ephemeralContainers": [{"name": "debugger", "image": "sandbox.local/toolbox:1", "command": ["sleep", "3600"], "targetContainerName": target, "stdin": True, "tty": True}]}}
    core.patch_namespaced_pod_ephemeralcontainers(pod, ns, body)
    status = None
    deadline = time.time() + 20
    while time.time() < deadline:
        p = core.read_namespaced_pod(pod, ns)
        found = [s for s in (p.status.ephemeral_container_statuses or []) if s.name == "debugger"]
        if found and found[0].state.running:
            status = {"name": found[0].name, "running": True, "image": found[0].image}
            break
        time.sleep(0.2)
    out = stream(core.connect_get_namespaced_pod_exec, pod, ns, container="debugger", command=["echo", "in-debugger"], stdout=True, stderr=True, stdin=False, tty=False)
    try:
        core.patch_namespaced_pod_ephemeralcontainers(pod, ns, {"spec": {"ephemeralContainers": [{"name": "debugger", "image": "sandbox.local/other:1"}]}})
        changed = None
    except ApiException as e:
        changed = api_error(e)
    return {"spec": [c.name for c in core.read_namespaced_pod(pod, ns).spec.ephemeral_containers or []], "status": status, "exec": out, "change": changed}


SCENARIOS = {"list_get": list_get, "selectors": selectors, "logs": logs, "watch_events": watch_events, "watch_expired": watch_expired, "exec": exec_streams, "ephemeral": ephemeral}
print(json.dumps(SCENARIOS[job["scenario"]]()))
