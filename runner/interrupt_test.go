package runner

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildRegress builds cmd/regress into a temporary directory and returns the binary's path.
func buildRegress(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "regress")
	cmd := exec.Command("go", "build", "-o", bin, "regress/cmd/regress")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSignalsStopTheRunAndTheBrowser runs the real binary with a browser step whose page never
// answers, sends it SIGINT (then, in a second run, SIGTERM) mid-flight, and checks that it exits
// non-zero within a few seconds, that the reports exist and say the run was interrupted, and that
// no Chromium process of that run is left. Not parallel: it counts Chromium processes.
func TestSignalsStopTheRunAndTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts its own Chromium")
	}
	bin := buildRegress(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { interruptRun(t, bin, sig) })
	}
}

func interruptRun(t *testing.T, bin string, sig syscall.Signal) {
	srv := newFaultServer(t, false)
	cfg := writeConfig(t, faultTarget{baseURL: srv.URL, request: "30s", scenario: "60s", extra: "    browser: {action_timeout: 60s}\n"})
	// Two scenarios, one at a time: the second must never start once the signal arrived.
	feature := filepath.Join(t.TempDir(), "interrupt.feature")
	text := "Feature: interrupts\n\n" +
		"  Scenario: a page that never answers\n    When anonymous opens the \"slow_page\" page\n\n" +
		"  Scenario: queued behind it\n    When alice requests the \"ok\" route\n    Then the response status is 200\n"
	if err := os.WriteFile(feature, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	reportDir := t.TempDir()
	// The child's Chromium profile (regress-chromium-*) goes under its own TMPDIR, so its
	// processes are told from any other Chromium on the machine by their command line.
	tmp, err := os.MkdirTemp("", "regress-interrupt-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	before := liveChromium("")

	var out bytes.Buffer
	cmd := exec.Command(bin, "run", "--config", cfg, "--target", "faulty", "--report-dir", reportDir, "--concurrency", "1", feature)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "CI=true")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	// Mid-flight: Chromium has asked for the page that never answers.
	srv.waitFor(t, "/slow-page", 60*time.Second)
	running := liveChromium(tmp)
	if running == 0 {
		t.Fatalf("no Chromium process of the run found under %s while the page loads", tmp)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Fatalf("still running 20s after %v; output:\n%s", sig, out.String())
	}
	took := time.Since(sent)
	code := cmd.ProcessState.ExitCode()
	t.Logf("%v: exit %d %v after the signal (%d Chromium processes were running)\n%s", sig, code, took.Round(time.Millisecond), running, out.String())

	if code != ExitFailed {
		t.Errorf("exit %d after %v, want %d (interrupted)", code, sig, ExitFailed)
	}
	if took > 10*time.Second {
		t.Errorf("took %v to stop after %v, want a few seconds", took, sig)
	}
	if !strings.Contains(out.String(), "the run was interrupted") {
		t.Errorf("the output does not say the run was interrupted")
	}
	if n := srv.Hits("/ok"); n != 0 {
		t.Errorf("the queued scenario ran after %v (%d requests)", sig, n)
	}
	summary, err := os.ReadFile(filepath.Join(reportDir, "summary.md"))
	if err != nil || !strings.Contains(string(summary), "interrupted after 1 of 2 scenarios") {
		t.Errorf("summary.md not marked interrupted (%v):\n%s", err, summary)
	}
	html, err := os.ReadFile(filepath.Join(reportDir, "report.html"))
	if err != nil || !strings.Contains(string(html), "Interrupted: the run was stopped") {
		t.Errorf("report.html not marked interrupted (%v)", err)
	}
	for _, name := range []string{"junit.xml", "cucumber.json"} {
		if fi, err := os.Stat(filepath.Join(reportDir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := liveChromium(tmp); n != 0 {
		t.Errorf("%d Chromium processes of the run remain after it exited", n)
	}
	// Any other Chromium (this test binary's shared one, another package's) is not ours to judge;
	// the count is logged to show nothing was added.
	t.Logf("live Chromium processes on the machine: %d before the run, %d after", before, liveChromium(""))
}

// liveChromium counts the processes that are not zombies and whose command line mentions dir;
// with dir "", every process whose command line holds a regress-chromium- profile or whose
// name is chromium.
func liveChromium(dir string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
		switch {
		case dir != "":
			if bytes.Contains(cmdline, []byte(dir)) {
				n++
			}
		case bytes.Contains(cmdline, []byte("regress-chromium-")) || strings.TrimSpace(string(comm)) == "chromium":
			n++
		}
	}
	return n
}
