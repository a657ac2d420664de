//go:build linux

package browser

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// proc is one process of a local Chromium.
type proc struct {
	// start is the start time, so that a pid reused by an unrelated process is never touched.
	start uint64
	// helper is true for Chromium's helpers (renderers, zygotes, services, crashpad), which we
	// may reap; the main process is os/exec's to wait for.
	helper bool
}

// processes are the processes of a local Chromium, by pid.
type processes map[int]proc

// chromiumProcesses lists the processes of the Chromium whose main process is root (0 if unknown)
// and whose profile is dir: root's descendants and every process whose command line mentions dir
// (Chromium passes --user-data-dir to all its helpers; crashpad keeps its database there). Take
// it while the browser runs: once the main process exits, its helpers are reparented, and only
// the command line still ties them to us.
func chromiumProcesses(root int, dir string) processes {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return processes{}
	}
	self := os.Getpid()
	type info struct {
		ppid int
		p    proc
		ours bool
	}
	all := make(map[int]info, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		ppid, start, _, ok := procStat(pid)
		if !ok {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		helper := bytes.Contains(cmdline, []byte("--type=")) || bytes.Contains(cmdline, []byte("crashpad"))
		ours := dir != "" && bytes.Contains(cmdline, []byte(dir))
		all[pid] = info{ppid: ppid, p: proc{start: start, helper: helper}, ours: ours}
	}
	found := processes{}
	for pid, in := range all {
		ours := in.ours || pid == root
		// Walk up to root; the depth bound guards against a cycle of pids reused mid-scan.
		for p, depth := in.ppid, 0; !ours && root > 0 && p > 1 && depth < 64; p, depth = all[p].ppid, depth+1 {
			ours = p == root
		}
		if ours {
			found[pid] = in.p
		}
	}
	return found
}

// stop kills the listed processes and any new one that mentions dir, reaps the helpers that are
// our children, and waits until none runs and none of our children is a zombie; a helper that
// was reparented elsewhere before it died is its new parent's to reap. It gives up after limit
// and returns how many remain.
func (ps processes) stop(dir string, limit time.Duration) int {
	const (
		pause       = 20 * time.Millisecond
		quietPasses = 3 // a helper can fork while its parent dies: look again before trusting "none"
	)
	self := os.Getpid()
	deadline := time.Now().Add(limit)
	quiet := 0
	for {
		for pid, p := range chromiumProcesses(0, dir) {
			if _, ok := ps[pid]; !ok {
				ps[pid] = p
			}
		}
		for pid, p := range ps {
			ppid, start, state, ok := procStat(pid)
			switch {
			case !ok || start != p.start:
				delete(ps, pid) // gone, or the pid now belongs to someone else
				continue
			case state == 'Z' && ppid != self:
				delete(ps, pid) // dead, and its parent's to reap
				continue
			case state != 'Z':
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			if ppid == self && p.helper {
				// Only this pid: waiting for any child would steal the exit status of
				// commands that other code of this process runs.
				var ws syscall.WaitStatus
				if wpid, _ := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); wpid == pid {
					delete(ps, pid)
				}
			}
		}
		if len(ps) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if quiet >= quietPasses || time.Now().After(deadline) {
			return len(ps)
		}
		time.Sleep(pause)
	}
}

// procStat reads the parent, the start time (in clock ticks since boot) and the state of pid.
func procStat(pid int) (ppid int, start uint64, state byte, ok bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, 0, false
	}
	// The command name, in parentheses, can hold spaces; the fields after it cannot.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, 0, false
	}
	// The fields after the name start with state (field 3 of proc(5)); starttime is field 22.
	f := bytes.Fields(stat[i+1:])
	if len(f) < 20 || len(f[0]) != 1 {
		return 0, 0, 0, false
	}
	ppid, err1 := strconv.Atoi(string(f[1]))
	start, err2 := strconv.ParseUint(string(f[19]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, 0, false
	}
	return ppid, start, f[0][0], true
}
