#!/usr/bin/python3
"""real-bundle.py FIXTURE BUNDLE ROOTFS NETNS [--no-seccomp]: the "realistic" bench bundle from a config podman
captured (spec-fixtures/valid/podman-run-busybox-true.json), changed only where it names this
capture's host:

- root.path: the bench's busybox rootfs (shared by every bundle; mount targets made here once,
  so that no runtime's first run creates them);
- the bind mounts' sources (podman's userdata files: resolv.conf, hosts, hostname, .containerenv,
  and the shm dir): files of the same names under BUNDLE/userdata;
- the network namespace's path: NETNS, one namespace the bench made, which every container joins
  (as with podman, which makes the namespace before it calls the runtime);
- linux.cgroupsPath dropped: podman names a cgroup per container, and one bundle serves many
  containers; each runtime then names it after the container id, as for the bare bundle;
- rlimits clamped to this process's hard limits: podman asks for RLIMIT_NOFILE 1048576, which a
  runtime can set only with CAP_SYS_RESOURCE (this sandbox has a hard limit of 20000 without it).

Everything else (seccomp profile, capabilities, mounts and their options, masked and read-only
paths, sysctl, env, annotations) is kept as podman wrote it. --no-seccomp drops linux.seccomp
(and nothing else): the difference to the full bundle is what the profile costs each runtime.
"""
import json
import os
import resource
import sys


def main(fixture, bundle, rootfs, netns, *flags):
    c = json.load(open(fixture))
    if "--no-seccomp" in flags:
        del c["linux"]["seccomp"]
    c["root"]["path"] = rootfs
    userdata = os.path.join(bundle, "userdata")
    os.makedirs(os.path.join(userdata, "shm"), exist_ok=True)
    contents = {"resolv.conf": "nameserver 192.0.2.1\n",
                "hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost\n",
                "hostname": c.get("hostname", "box") + "\n",
                ".containerenv": 'engine="podman-4.3.1"\n'}
    for m in c["mounts"]:
        if m.get("type") != "bind":
            continue
        name = os.path.basename(m["source"])
        src = os.path.join(userdata, name)
        if name in contents:
            with open(src, "w") as f:
                f.write(contents[name])
        elif not os.path.isdir(src):
            sys.exit(f"real-bundle.py: unexpected bind mount source {m['source']}")
        m["source"] = src
        # The mount target, made once in the shared rootfs.
        target = os.path.join(rootfs, m["destination"].lstrip("/"))
        if m["destination"].startswith("/dev/"):
            continue  # /dev is a tmpfs in the container
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.isdir(src):
            os.makedirs(target, exist_ok=True)
        elif not os.path.exists(target):
            open(target, "w").close()
    for ns in c["linux"]["namespaces"]:
        if ns["type"] == "network":
            ns["path"] = netns
    c["linux"].pop("cgroupsPath", None)
    limits = {"RLIMIT_NOFILE": resource.RLIMIT_NOFILE, "RLIMIT_NPROC": resource.RLIMIT_NPROC}
    for r in c["process"].get("rlimits", []):
        hard = resource.getrlimit(limits[r["type"]])[1]
        if hard != resource.RLIM_INFINITY and r["hard"] > hard:
            r["hard"] = hard
            r["soft"] = min(r["soft"], hard)
    os.makedirs(bundle, exist_ok=True)
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(c, f, separators=(",", ":"))


if __name__ == "__main__":
    main(*sys.argv[1:])
