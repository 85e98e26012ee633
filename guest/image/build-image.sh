#!/usr/bin/env bash
# Builds the bootable image of a JOCONDE computation task VM from Debian packages and the
# project's binaries, without installing anything on the host:
#
#   OUTPUT/vmlinuz        the Debian kernel, unpacked from its .deb with dpkg-deb -x
#   OUTPUT/initrd.img     a gzip'd newc cpio: busybox (static) as init's toolbox, the init
#                         script, joconde-guest, the engine modules and the shared libraries
#                         they need, the kernel modules for virtio networking and QEMU's
#                         firmware configuration
#   OUTPUT/cmdline        the kernel command line the image is measured with
#   OUTPUT/manifest.json  engine ids, SHA-256 of kernel, initrd and cmdline, the expected
#                         SEV-SNP launch measurement with the firmware it assumes
#
# The initramfs is reproducible (sorted names, fixed owners and times, gzip -n), so the same
# inputs give the same hashes, which a TEE's expected launch measurement depends on.
# See docs/guest-image.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: build-image.sh --guest FILE --engine-module FILE --image-tool FILE --ovmf FILE
                      --output DIR [OPTION…]

  --guest FILE            the joconde-guest binary to ship
  --engine-module FILE    an engine module (.so) to ship (repeatable); its id goes into the
                          manifest, read from the module by joconde-image-tool
  --image-tool FILE       the build's joconde-image-tool (engine ids, SNP measurement)
  --ovmf FILE             the OVMF firmware the SEV-SNP measurement assumes
                          (Debian's ovmf package: /usr/share/ovmf/OVMF.fd)
  --snp-vcpus N           vCPUs of the measured guest (default 2, the cpd's default)
  --snp-vcpu-type NAME    QEMU vCPU model of the measured guest (default EPYC-v4, the cpd's)
  --snp-guest-features X  SEV_FEATURES of the measured guest (default 0x1, QEMU's default)
  --output DIR            where vmlinuz, initrd.img, cmdline and manifest.json are written
  --cache DIR             where downloaded .deb files are kept (default OUTPUT/cache)
  --kernel-package NAME   Debian kernel package or meta-package (default linux-image-cloud-amd64)
  --kernel-deb FILE       use this kernel .deb instead of downloading one (offline builds)
  --busybox FILE          a static busybox (default /bin/busybox from busybox-static)
  --port N                the orchestrator's port inside the VM (default 8443)
EOF
}

die() { echo "build-image.sh: $*" >&2; exit 1; }

guest= output= cache= kernel_pkg=linux-image-cloud-amd64 kernel_deb= busybox=/bin/busybox port=8443
tool= ovmf= snp_vcpus=2 snp_vcpu_type=EPYC-v4 snp_features=0x1
modules=()
while [ $# -gt 0 ]; do
  case $1 in
    --guest) guest=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --kernel-package) kernel_pkg=$2; shift 2 ;;
    --kernel-deb) kernel_deb=$2; shift 2 ;;
    --busybox) busybox=$2; shift 2 ;;
    --engine-module) modules+=("$2"); shift 2 ;;
    --image-tool) tool=$2; shift 2 ;;
    --ovmf) ovmf=$2; shift 2 ;;
    --snp-vcpus) snp_vcpus=$2; shift 2 ;;
    --snp-vcpu-type) snp_vcpu_type=$2; shift 2 ;;
    --snp-guest-features) snp_features=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[ -n "$guest" ] && [ -n "$output" ] && [ -n "$tool" ] && [ -n "$ovmf" ] && [ ${#modules[@]} -gt 0 ] \
  || { usage >&2; exit 2; }
[ -x "$guest" ] || die "the orchestrator binary $guest is missing or not executable"
[ -x "$tool" ] || die "the image tool $tool is missing or not executable"
[ -f "$ovmf" ] || die "the OVMF firmware $ovmf is missing: install Debian's ovmf"
for m in "${modules[@]}"; do [ -f "$m" ] || die "the engine module $m is missing"; done
case $snp_vcpus in ''|*[!0-9]*) die "--snp-vcpus must be a number" ;; esac
[ -x "$busybox" ] || die "$busybox is missing: install Debian's busybox-static"
file -b "$busybox" 2>/dev/null | grep -q 'statically linked' || ldd "$busybox" 2>&1 | grep -q 'not a dynamic' \
  || die "$busybox is not statically linked: install Debian's busybox-static"
case $port in ''|*[!0-9]*) die "--port must be a number" ;; esac
# The engine ids, as the orchestrator will see them: read from the modules through libjoconde.
engines=()
for m in "${modules[@]}"; do
  id=$("$tool" engine-id "$m") || die "cannot read the engine id of $m"
  case $id in ''|*[!A-Za-z0-9._-]*) die "engine id '$id' of $m may only hold letters, digits, '.', '_' and '-'" ;; esac
  engines+=("$id")
done

mkdir -p "$output"
output=$(cd "$output" && pwd)

# Up to date when the same options built it from inputs no newer than its manifest.
args_stamp="guest=$(readlink -f "$guest") kernel=$kernel_pkg deb=$kernel_deb busybox=$busybox port=$port"
args_stamp+=" modules=${modules[*]} ovmf=$(readlink -f "$ovmf") snp=$snp_vcpus/$snp_vcpu_type/$snp_features"
newer=1
for f in "$guest" "$0" "$(dirname "$0")/init" "$tool" "$ovmf" "${modules[@]}"; do
  [ "$output/manifest.json" -nt "$f" ] || newer=0
done
if [ -f "$output/manifest.json" ] && [ -f "$output/.build-args" ] \
   && [ "$(cat "$output/.build-args")" = "$args_stamp" ] && [ $newer = 1 ]; then
  echo "build-image.sh: $output is up to date" >&2
  exit 0
fi
rm -f "$output/.build-args"
cache=${cache:-$output/cache}
mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/jc-guest-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. The kernel: a .deb fetched with apt-get download (no root, nothing installed) and unpacked.
if [ -z "$kernel_deb" ]; then
  pkg=$kernel_pkg
  # A meta-package (linux-image-cloud-amd64) names the real one in its Depends.
  real=$(apt-cache depends "$pkg" 2>/dev/null | awk '/^ *Depends: linux-image-[0-9]/{print $2; exit}')
  [ -n "$real" ] && pkg=$real
  kernel_deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$kernel_deb" ]; then
    echo "build-image.sh: downloading $pkg" >&2
    (cd "$cache" && apt-get download -q "$pkg" >&2) || die "apt-get download $pkg failed (no network, or stale package lists: run apt-get update)"
    kernel_deb=$(ls "$cache/${pkg}_"*.deb | sort -V | tail -n1)
  fi
fi
[ -f "$kernel_deb" ] || die "kernel package $kernel_deb not found"
dpkg-deb -x "$kernel_deb" "$work/kernel"
kpkg=$(dpkg-deb -f "$kernel_deb" Package)
kver_pkg=$(dpkg-deb -f "$kernel_deb" Version)
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* | head -n1)
kver=${vmlinuz##*/vmlinuz-}
moddir=$work/kernel/lib/modules/$kver
[ -d "$moddir" ] || moddir=$work/kernel/usr/lib/modules/$kver

# 2. The initramfs tree.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc/joconde,lib/modules,lib/joconde/engines,run}
install -m 0755 "$busybox" "$root/bin/busybox"
install -m 0755 "$(dirname "$0")/init" "$root/init"
# Not stripped: the orchestrator is byte-identical to the build's, so a task for the
# simulated TEE names the measurement of the build's joconde-guest (jocondectl sandbox).
install -m 0755 "$guest" "$root/bin/joconde-guest"
# The engine modules where the init points --engine-dir.
for m in "${modules[@]}"; do
  install -m 0644 "$m" "$root/lib/joconde/engines/$(basename "$m")"
  strip --strip-unneeded "$root/lib/joconde/engines/$(basename "$m")" 2>/dev/null || true
done

# GIO's TLS backend (glib-networking's GnuTLS module): the attested TLS of the IO protocol
# and of the links between the VMs is GTlsConnection. Only that module, so GIO loads nothing
# else from its module directory.
giomoddir=$(pkg-config --variable=giomoduledir gio-2.0 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/gio/modules)
giotls=$giomoddir/libgiognutls.so
[ -f "$giotls" ] || die "$giotls is missing: install Debian's glib-networking"
mkdir -p "$root$giomoddir"
install -m 0644 "$giotls" "$root$giotls"

# Shared libraries exactly as the host's loader resolves them, at the same paths.
for bin in "$guest" "${modules[@]}" "$giotls"; do ldd "$bin"; done \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader was not found by ldd"

# Kernel modules: those of virtio networking (and fw_cfg, which carries the CTA) that this
# kernel builds as modules, with what they depend on, in load order.
modinfo_field() { # module-file field
  objcopy -O binary --only-section=.modinfo "$1" /dev/stdout 2>/dev/null | tr '\0' '\n' | sed -n "s/^$2=//p"
}
declare -A loaded=()
order=()
add_module() { # name
  local name=$1 f dep plain
  [ -n "${loaded[$name]:-}" ] && return 0
  loaded[$name]=1
  f=$(find "$moddir" -name "$name.ko" -o -name "$name.ko.xz" -o -name "$name.ko.zst" | head -n1)
  if [ -z "$f" ]; then
    f=$(find "$moddir" -name "${name//_/-}.ko*" | head -n1)
  fi
  [ -n "$f" ] || return 0   # built into the kernel
  plain=$work/mod-$name.ko
  case $f in
    *.xz) xz -dc "$f" >"$plain" ;;
    *.zst) zstd -qdc "$f" >"$plain" ;;
    *) cp "$f" "$plain" ;;
  esac
  for dep in $(modinfo_field "$plain" depends | tr ',' ' '); do add_module "$dep"; done
  cp "$plain" "$root/lib/modules/$name.ko"
  order+=("$name")
}
for m in virtio_pci virtio_net qemu_fw_cfg; do add_module "$m"; done
printf '%s\n' "${order[@]}" >"$root/etc/joconde/modules"
echo "$port" >"$root/etc/joconde/port"

# Reproducible archive: fixed times and owners, sorted names, no gzip timestamp.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) \
  | gzip -9n >"$work/initrd.img"

cmdline="console=ttyS0 panic=-1 quiet"
install -m 0644 "$vmlinuz" "$output/vmlinuz"
install -m 0644 "$work/initrd.img" "$output/initrd.img"
printf '%s' "$cmdline" >"$output/cmdline"

sha() { sha256sum "$1" | cut -d' ' -f1; }
engine_json=$(printf '"%s",' "${engines[@]}")
engine_json="[${engine_json%,}]"

# The expected SEV-SNP launch measurement, computed by libjoconde (jc_snp_measure) from the
# firmware, the vCPUs and, when the firmware measures a direct-boot kernel (an AmdSev build
# with an SNP_KERNEL_HASHES section), the kernel, initrd and command line. Debian's OvmfX64
# build has no such section: its measurement covers the firmware and vCPU state only, and
# the manifest says so with "kernel_hashes": false (see docs/guest-image.md).
measure=("$tool" snp-measure --ovmf "$ovmf" --vcpus "$snp_vcpus" --vcpu-type "$snp_vcpu_type"
         --guest-features "$snp_features")
if snp=$("${measure[@]}" --kernel "$output/vmlinuz" --initrd "$output/initrd.img" \
           --append "$cmdline" 2>"$work/measure.err"); then
  kernel_hashes=true
else
  grep -q 'SNP_KERNEL_HASHES\|kernel hashes' "$work/measure.err" || die "$(cat "$work/measure.err")"
  snp=$("${measure[@]}") || die "cannot compute the SEV-SNP measurement from $ovmf"
  kernel_hashes=false
fi
ovmf_abs=$(readlink -f "$ovmf")
ovmf_pkg=$(dpkg-query -S "$ovmf_abs" 2>/dev/null | head -n1 | cut -d: -f1 || true)
if [ -n "$ovmf_pkg" ]; then
  ovmf_pkg_json="\"$ovmf_pkg\""
  ovmf_ver_json="\"$(dpkg-query -W -f '${Version}' "$ovmf_pkg")\""
else
  ovmf_pkg_json=null ovmf_ver_json=null
fi

cat >"$output/manifest.json" <<EOF
{
  "format": "joconde-guest-image/1",
  "engines": $engine_json,
  "engine_dir": "/lib/joconde/engines",
  "guest_port": $port,
  "kernel": {
    "file": "vmlinuz",
    "package": "$kpkg",
    "package_version": "$kver_pkg",
    "release": "$kver",
    "sha256": "$(sha "$output/vmlinuz")"
  },
  "initrd": {
    "file": "initrd.img",
    "sha256": "$(sha "$output/initrd.img")"
  },
  "cmdline": "$cmdline",
  "cmdline_sha256": "$(sha "$output/cmdline")",
  "snp": {
    "firmware": {
      "file": "$ovmf_abs",
      "package": $ovmf_pkg_json,
      "package_version": $ovmf_ver_json,
      "sha256": "$(sha "$ovmf_abs")"
    },
    "vcpus": $snp_vcpus,
    "vcpu_type": "$snp_vcpu_type",
    "guest_features": "$snp_features",
    "kernel_hashes": $kernel_hashes,
    "measurement": "$snp"
  },
  "expected_snp_measurement": "$snp",
  "expected_tdx_mrtd": null
}
EOF
printf '%s' "$args_stamp" >"$output/.build-args"
[ $kernel_hashes = true ] || echo "build-image.sh: warning: $ovmf has no kernel hashes table; the SEV-SNP measurement does not cover the kernel, initrd or command line" >&2
echo "build-image.sh: $output: engines ${engines[*]}, kernel $kver ($(du -h "$output/vmlinuz" | cut -f1)), initrd $(du -h "$output/initrd.img" | cut -f1), modules: ${order[*]:-none}" >&2
