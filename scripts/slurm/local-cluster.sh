#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, so that sweep-array.sbatch can be run through real
# Slurm: the test the_slurm_array_script_runs_one_shard_per_task submits the array to it when
# `sinfo` shows an idle node, and .ci/run starts it before `cargo test`.
#
#   bash scripts/slurm/local-cluster.sh      # as root; ends with "Slurm is up" and exit code 0
#
# It installs slurm-wlm and munge with apt-get when slurmctld, slurmd or munged is missing,
# writes a minimal /etc/slurm/slurm.conf (one node named by `hostname -s`, with this machine's
# CPUs and memory, in one default partition "debug"; no cgroups, no accounting, jobs may run as
# root), creates a munge key if there is none, starts munged, slurmctld and slurmd in the
# background (no systemd needed) and waits up to 30 s for the node to be idle. Running it again is safe: when Slurm is
# up already it does nothing. When Slurm cannot be brought up it says why, stops the daemons it
# started and exits 1. It never overwrites a slurm.conf that it did not write.
#
# Tested with Debian 12's Slurm 22.05. State and spool: /var/lib/powsim-slurm; logs:
# /var/log/powsim-slurm. To stop the cluster: kill the pids in /var/lib/powsim-slurm/*.pid.
set -euo pipefail

conf_dir=/etc/slurm
conf=$conf_dir/slurm.conf
marker="# Written by powsim's scripts/slurm/local-cluster.sh"
state=/var/lib/powsim-slurm
logs=/var/log/powsim-slurm
wait_s=30

say() { echo "local-cluster: $*"; }

# running PID NAME: whether process PID is alive (not a zombie that nobody reaps) and is NAME.
# alive PIDFILE NAME: the same for the pid in PIDFILE (a killed daemon's stale pid file may
# name some other process by now).
running() {
    local name st
    [[ -n $1 ]] && read -r _ name st _ 2>/dev/null <"/proc/$1/stat" && [[ $name == "($2)" && $st != Z ]]
}
alive() { running "$(cat "$1" 2>/dev/null)" "$2"; }

# Kills the daemons whose pid files ($1) and names ($2, $4, ...) are given, if they run, and
# waits up to 10 s for them to exit (they may remove their pid file before they are gone).
stop() {
    local pids=() names=() i
    while (($# > 1)); do
        if alive "$1" "$2"; then
            pids+=("$(cat "$1")")
            names+=("$2")
        fi
        shift 2
    done
    ((${#pids[@]})) || return 0
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
        for i in "${!pids[@]}"; do
            running "${pids[i]}" "${names[i]}" && sleep 0.2 && continue 2
        done
        return 0
    done
    echo "local-cluster: error: ${names[*]} did not stop" >&2
    return 1
}

# The daemons this call started ("pidfile name"), stopped again if Slurm does not come up.
started=()
fail() {
    echo "local-cluster: error: $*" >&2
    local log
    for log in "$logs/slurmctld.log" "$logs/slurmd.log"; do
        if [[ -s $log ]]; then
            echo "--- last lines of $log" >&2
            tail -n 15 "$log" >&2
        fi
    done
    # shellcheck disable=SC2068 # "pidfile name" pairs split into arguments
    stop ${started[@]} || true
    exit 1
}

[[ $(id -u) -eq 0 ]] || fail "run this as root (it installs packages and starts daemons)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt_log=$(mktemp)
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge; } \
        </dev/null >"$apt_log" 2>&1; then
        tail -n 20 "$apt_log" >&2
        fail "apt-get could not install slurm-wlm and munge"
    fi
    rm -f "$apt_log"
fi

node=$(hostname -s 2>/dev/null || true)
if [[ -z $node ]] || ! getent hosts "$node" >/dev/null; then
    node=localhost
fi
cpus=$(nproc)
# A little under the total, so slurmd never finds less memory than configured and drains.
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.95) }' /proc/meminfo)
new_conf=$(
    cat <<EOF
$marker for a one-node test cluster;
# it rewrites this file whenever it would write something else.
ClusterName=powsim-local
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
)

# The state of node $1 as sinfo prints it (idle, mix, alloc, down*, drain, ...), or without $1
# those of every responding node; empty when the controller does not answer.
node_state() {
    if [[ -n ${1:-} ]]; then
        sinfo --noheader --nodes="$1" --format=%t 2>/dev/null || true
    else
        sinfo --noheader --responding --format=%t 2>/dev/null || true
    fi
}
usable() { grep -qxE 'idle|mix|alloc|comp' <<<"$1"; }

if [[ -f $conf ]] && ! grep -qF "$marker" "$conf"; then
    if usable "$(node_state)"; then
        say "Slurm is up already, with a $conf that this script did not write"
        exit 0
    fi
    fail "$conf exists and was not written by this script; not touching it"
fi
if [[ -f $conf ]] && [[ $(cat "$conf") == "$new_conf" ]] && alive "$state/slurmctld.pid" slurmctld &&
    usable "$(node_state "$node")"; then
    say "Slurm is up already: node $node is $(node_state "$node")"
    exit 0
fi

# --- configuration
mkdir -p "$conf_dir" "$state/ctld" "$state/d" "$logs"
if [[ ! -f $conf ]] || [[ $(cat "$conf") != "$new_conf" ]]; then
    # Daemons started with another configuration would keep it: restart them.
    stop "$state/slurmd.pid" slurmd "$state/slurmctld.pid" slurmctld || fail "could not restart Slurm"
    printf '%s\n' "$new_conf" >"$conf"
    say "wrote $conf (node $node, $cpus CPUs, $mem_mb MB)"
fi

# --- munge
if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    say "created /etc/munge/munge.key"
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
munge_answers() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_answers; then
    # --force: start even if a killed munged left its socket behind.
    runuser -u munge -- munged --force </dev/null >/dev/null 2>&1 || fail "munged did not start"
    started+=("/run/munge/munged.pid munged")
    for _ in $(seq 50); do
        munge_answers && break
        sleep 0.1
    done
    munge_answers || fail "munged started but does not answer"
fi

# --- Slurm's daemons; -i: start even if the saved state is unreadable or from another config
if ! alive "$state/slurmctld.pid" slurmctld; then
    slurmctld -f "$conf" -i </dev/null >/dev/null 2>&1 || fail "slurmctld did not start"
    started+=("$state/slurmctld.pid slurmctld")
fi
if ! alive "$state/slurmd.pid" slurmd; then
    slurmd -f "$conf" -N "$node" </dev/null >/dev/null 2>&1 || fail "slurmd did not start"
    started+=("$state/slurmd.pid slurmd")
fi

# --- wait for the node to be idle, resuming it if it comes up down or drained
deadline=$((SECONDS + wait_s))
while true; do
    s=$(node_state "$node")
    if usable "$s"; then
        say "Slurm is up: node $node is $s"
        exit 0
    fi
    if [[ $s == down* || $s == drain* || $s == drng* || $s == fail* ]]; then
        scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
    fi
    ((SECONDS < deadline)) || fail "node $node is not idle after ${wait_s} s (sinfo says: ${s:-nothing})"
    sleep 1
    alive "$state/slurmctld.pid" slurmctld || fail "slurmctld exited (see $logs/slurmctld.log)"
    alive "$state/slurmd.pid" slurmd || fail "slurmd exited (see $logs/slurmd.log)"
done
