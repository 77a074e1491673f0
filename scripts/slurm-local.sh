#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine (Debian's slurm-wlm + munge), and an end-to-end test
# of hwgym's job arrays on it.
#
#   scripts/slurm-local.sh start   # install (apt, as root) if needed, configure and start munge + Slurm
#   scripts/slurm-local.sh test    # start, then run a small sweep as a job array and check it
#   scripts/slurm-local.sh stop    # stop the daemons this script started
#
# The test: `hwgym slurm` writes a 3-task array script for a 12-run recipe on the synthetic simulator;
# `sbatch --wait` runs it; `hwgym status` must show every run done, and `hwgym report` of the Slurm
# results must equal the report of the same recipe run unsharded on the command line (reports hold no
# timings, so they are identical when the rows are). Needs root (it writes /etc/slurm/slurm.conf).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${HWGYM_SLURM_STATE:-/tmp/hwgym-slurm}"
conf=/etc/slurm/slurm.conf
node="$(hostname -s)"

log() { echo "slurm-local: $*" >&2; }

install() {
    if command -v slurmctld >/dev/null && command -v munged >/dev/null; then return; fi
    [ "$(id -u)" = 0 ] || { log "slurm-wlm and munge are missing; run as root to install them"; exit 1; }
    log "installing slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
}

configure() {
    mkdir -p /etc/slurm "$state"/{ctld,d,log} /run/munge /var/lib/munge /var/log/munge
    local cpus mem
    cpus="$(nproc)"
    mem="$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)"
    if [ -f "$conf" ] && ! grep -q "written by hwgym scripts/slurm-local.sh" "$conf"; then
        cp "$conf" "$conf.before-hwgym"
        log "saved the existing $conf as $conf.before-hwgym"
    fi
    cat >"$conf" <<CONF
# written by hwgym scripts/slurm-local.sh: one node, this machine, no cgroups, no accounting.
ClusterName=hwgym-local
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
StateSaveLocation=${state}/ctld
SlurmdSpoolDir=${state}/d
SlurmctldPidFile=${state}/slurmctld.pid
SlurmdPidFile=${state}/slurmd.pid
SlurmctldLogFile=${state}/log/slurmctld.log
SlurmdLogFile=${state}/log/slurmd.log
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=local Nodes=${node} Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() {
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
    if [ ! -s /etc/munge/munge.key ]; then
        log "creating /etc/munge/munge.key"
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
    chmod 0400 /etc/munge/munge.key
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return; sleep 0.1; done
    log "munged did not start"; exit 1
}

start() {
    install
    configure
    start_munge
    if ! scontrol ping 2>/dev/null | grep -q UP; then
        slurmctld
    fi
    if ! pgrep -F "$state/slurmd.pid" >/dev/null 2>&1; then
        slurmd
    fi
    for _ in $(seq 100); do
        if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
            log "Slurm is up: $(sinfo -h -o '%P %D node(s) %c CPUs %t')"
            return
        fi
        scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
        sleep 0.2
    done
    log "the node did not come up; see $state/log/"
    sinfo || true
    exit 1
}

stop() {
    for d in slurmd slurmctld; do
        if [ -f "$state/$d.pid" ]; then kill "$(cat "$state/$d.pid")" 2>/dev/null || true; fi
    done
    log "stopped slurmd and slurmctld (munged keeps running: other programs may use it)"
}

e2e() {
    start
    local target bin work
    target="${CARGO_TARGET_DIR:-$repo/target}"
    (cd "$repo" && cargo build --release -p hwgym --bin hwgym)
    bin="$target/release/hwgym"
    work="$(mktemp -d /tmp/hwgym-slurm-e2e.XXXXXX)"
    cat >"$work/e2e.yaml" <<'YAML'
name: slurm-e2e
simulator: synthetic
options_grid: { function: [mixed, constrained] }
objective: { minimize: loss }
agents:
  - { kind: random_walk, grid: { restart_probability: [0.0, 0.2] } }
  - { kind: random_search }
seeds: [1, 2]
budget: { evaluations: 50 }
YAML
    cd "$work"
    "$bin" slurm e2e.yaml --tasks 3 --cpus-per-task 1 --time 00:10:00 --out "$work/slurm"
    log "submitting $work/slurm/slurm-e2e.sbatch"
    sbatch --wait "$work/slurm/slurm-e2e.sbatch"
    log "array finished; task logs:"; tail -n 3 "$work"/slurm/slurm/*.out
    "$bin" status "$work/slurm" | tail -n 1
    "$bin" status "$work/slurm" | tail -n 1 | grep -q ": 12 runs: 12 done, 0 failed, 0 missing" || { log "FAIL: not every run is done"; exit 1; }
    "$bin" merge "$work/slurm"
    "$bin" run e2e.yaml --out "$work/local" --jobs 2 >/dev/null
    "$bin" report "$work/slurm" >/dev/null 2>&1
    "$bin" report "$work/local" >/dev/null 2>&1
    if diff <(tail -n +2 "$work/slurm/report.md") <(tail -n +2 "$work/local/report.md") >/dev/null; then
        log "PASS: the Slurm job array's results equal the unsharded run's ($work)"
    else
        diff <(tail -n +2 "$work/slurm/report.md") <(tail -n +2 "$work/local/report.md") || true
        log "FAIL: reports differ"; exit 1
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    test) e2e ;;
    *) echo "usage: $0 start|test|stop" >&2; exit 2 ;;
esac
