# bench/common.sh: set-up shared by breakdown.sh and order.sh (sourced, not run).

# busybox_true_bundle DIR CSRUN: a busybox bundle in DIR whose process is /bin/true, with the
# config `csrun spec` writes (runc's, byte for byte) and no terminal.
busybox_true_bundle() {
  local dir=$1 csrun=$2
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev"
  cp "$(command -v busybox)" "$dir/rootfs/bin/busybox"
  ln -s busybox "$dir/rootfs/bin/true"
  (cd "$dir" && "$csrun" spec)
  sed -i -e 's/"terminal": true/"terminal": false/' -e 's|"sh"$|"/bin/true"|' "$dir/config.json"
}

# hide_unified_cgroup2: inside a private mount namespace, cover the hybrid layout's cgroup2
# mount with an empty tmpfs, so that every runtime sees the plain v1 layout (crun 1.8 refuses
# the hybrid one).
hide_unified_cgroup2() {
  if mountpoint -q /sys/fs/cgroup/unified && [ "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
    umount /sys/fs/cgroup/unified
    mount -t tmpfs -o size=1m csrun-bench /sys/fs/cgroup/unified
  fi
}
