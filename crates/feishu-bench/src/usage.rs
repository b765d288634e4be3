//! What a process tree spends while it idles, from /proc: CPU time and voluntary context switches
//! of the app and every process it started (WebKit's web and network processes, the sandbox's
//! emulator), read at the start and the end of a window and subtracted.
//!
//! CPU time is summed over the threads, from `/proc/<pid>/task/<tid>/schedstat` (time on a CPU, in
//! nanoseconds), plus `cutime + cstime` of `/proc/<pid>/stat` (the children a process reaped).
//! `utime + stime` of `stat` cover the whole process, its exited threads too, but in clock ticks
//! of 10 ms each, truncated: over a minute in which an empty app spends some 60 ms, three
//! processes' truncations are as large as the budget, so that figure is kept as a cross-check
//! only ([`Cost::cpu_in_ticks`]). Voluntary switches are summed over the threads,
//! `/proc/<pid>/task/<tid>/status`: the process's own `status` counts its first thread only. A
//! process or thread that appears during the window counts from zero.
//!
//! Not counted: a thread that exited during the window (its switches and its time on the CPU go
//! with it; the tick figure keeps the time), and a process that exited during the window unless a
//! process of the tree reaped it (then its parent's `cutime`/`cstime` holds its whole life's CPU
//! time, counted in full: an overcount, on the budget's safe side). The X server's work for the
//! windows is not the app's process and is not counted either.

use std::{collections::HashMap, fs, time::Duration};

use crate::procs;

/// Clock ticks per second in /proc's figures: `USER_HZ`, 100 on every Linux the apps run on.
const TICKS_PER_SECOND: u64 = 100;

/// A process or thread: its id and its start time (a reused id is another process).
type Key = (u32, u64);

/// Figures of a tree at one instant.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// CPU ticks by process: all (`utime + stime + cutime + cstime`), and its reaped children's.
    ticks: HashMap<Key, (u64, u64)>,
    /// Nanoseconds on a CPU and voluntary context switches, by thread.
    threads: HashMap<Key, (u64, u64)>,
}

/// What a tree spent between two snapshots.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Its threads' time on a CPU, and its reaped children's CPU time.
    pub cpu: Duration,
    /// The same from `/proc/<pid>/stat` alone, in whole ticks: a cross-check.
    pub cpu_in_ticks: Duration,
    pub voluntary_switches: u64,
    /// Processes alive at the end.
    pub processes: usize,
}

/// The fields after the command name of a `stat` file (the name is in parentheses and may hold
/// spaces or parentheses itself); field `n` of proc(5) is at index `n - 3`.
fn stat_fields(path: &str) -> Option<Vec<u64>> {
    let text = fs::read_to_string(path).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    // The state (a letter) becomes 0: only numeric fields are read.
    Some(
        rest.split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect(),
    )
}

/// Process `pid`'s CPU ticks (all, and its reaped children's) and its start time.
fn process_cpu(pid: u32) -> Option<((u64, u64), u64)> {
    let f = stat_fields(&format!("/proc/{pid}/stat"))?;
    let all = f.get(11..15)?.iter().sum();
    let children = f.get(13..15)?.iter().sum();
    Some(((all, children), *f.get(19)?))
}

/// The nanoseconds on a CPU and the voluntary switches of each live thread of `pid`, keyed by
/// thread id and start time.
fn threads(pid: u32) -> Vec<(Key, (u64, u64))> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| {
            let tid: u32 = task.file_name().to_str()?.parse().ok()?;
            let base = format!("/proc/{pid}/task/{tid}");
            let started = *stat_fields(&format!("{base}/stat"))?.get(19)?;
            let status = fs::read_to_string(format!("{base}/status")).ok()?;
            let switches = status
                .lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))?
                .trim()
                .parse()
                .ok()?;
            let on_cpu = fs::read_to_string(format!("{base}/schedstat"))
                .ok()?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some(((tid, started), (on_cpu, switches)))
        })
        .collect()
}

/// The figures of `root` and every live descendant now.
pub fn snapshot(root: u32) -> Snapshot {
    let mut out = Snapshot::default();
    for pid in std::iter::once(root).chain(procs::descendants(root)) {
        if let Some((ticks, started)) = process_cpu(pid) {
            out.ticks.insert((pid, started), ticks);
            out.threads.extend(threads(pid));
        }
    }
    out
}

/// What was spent from `before` to `after`, each process and thread counted from its figure in
/// `before`, or from zero when it was not there.
pub fn cost(before: &Snapshot, after: &Snapshot) -> Cost {
    /// The sum over `now`'s entries of `field` less its value in `then` (zero when absent).
    fn delta(
        now: &HashMap<Key, (u64, u64)>,
        then: &HashMap<Key, (u64, u64)>,
        field: fn((u64, u64)) -> u64,
    ) -> u64 {
        now.iter()
            .map(|(key, &n)| field(n).saturating_sub(then.get(key).map_or(0, |&t| field(t))))
            .sum()
    }
    let ticks = |n: u64| Duration::from_millis(n * 1000 / TICKS_PER_SECOND);
    let on_cpu = delta(&after.threads, &before.threads, |(ns, _)| ns);
    let reaped = delta(&after.ticks, &before.ticks, |(_, children)| children);
    Cost {
        cpu: Duration::from_nanos(on_cpu) + ticks(reaped),
        cpu_in_ticks: ticks(delta(&after.ticks, &before.ticks, |(all, _)| all)),
        voluntary_switches: delta(&after.threads, &before.threads, |(_, switches)| switches),
        processes: after.ticks.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleeping_thread_s_switches_and_a_busy_child_s_cpu_are_counted() {
        let me = std::process::id();
        let before = snapshot(me);
        // Each sleep is a voluntary switch of a thread that starts after the first snapshot; it
        // then waits to be let go, so it is alive at the second.
        let (slept_tx, slept) = std::sync::mpsc::channel();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let sleeper = std::thread::spawn(move || {
            for _ in 0..20 {
                std::thread::sleep(Duration::from_millis(1));
            }
            slept_tx.send(()).unwrap();
            let _ = wait.recv();
        });
        // A child that spins until it has used some CPU, then exits and is reaped by this
        // process: its time is in this process's cutime.
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .status()
            .unwrap();
        assert!(status.success());
        slept.recv().unwrap();
        let after = snapshot(me);
        go.send(()).unwrap();
        sleeper.join().unwrap();
        let spent = cost(&before, &after);
        assert!(spent.voluntary_switches >= 10, "{spent:?}");
        assert!(spent.cpu > Duration::ZERO, "{spent:?}");
        assert!(spent.processes >= 1);
    }

    #[test]
    fn nothing_is_spent_between_a_snapshot_and_itself() {
        let now = snapshot(std::process::id());
        assert_eq!(cost(&now, &now).cpu, Duration::ZERO);
        assert_eq!(cost(&now, &now).voluntary_switches, 0);
    }
}
