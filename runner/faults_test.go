package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The tests below drive the CLI in-process against the fault server (faultserver_test.go): every
// fault must end in bounded time, with a non-zero exit and a message naming the URL and the cause.

// faultBound is the generous upper bound on a fault run with a 1 s request timeout: a loaded
// 2-core machine must not make these tests flaky.
const faultBound = 10 * time.Second

// faultRun is one CLI run against a fault target.
type faultRun struct {
	code      int
	out       string // stdout and stderr
	elapsed   time.Duration
	reportDir string
}

// runFault runs `regress run` with the config and feature (and extra flags) and logs the outcome.
func runFault(t *testing.T, cfg, feature string, extra ...string) faultRun {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"run", "--config", cfg, "--target", "faulty", "--report-dir", dir}, extra...)
	start := time.Now()
	code, out, errOut := cli(t, map[string]string{"CI": "true"}, append(args, feature)...)
	r := faultRun{code: code, out: out + errOut, elapsed: time.Since(start), reportDir: dir}
	t.Logf("exit %d in %v\n%s", r.code, r.elapsed.Round(time.Millisecond), r.out)
	return r
}

// expect checks the exit code, the time bound and every fragment of the output ("a|b": either).
func (r faultRun) expect(t *testing.T, code int, bound time.Duration, fragments ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d", r.code, code)
	}
	if r.elapsed > bound {
		t.Errorf("took %v, want under %v", r.elapsed, bound)
	}
	for _, f := range fragments {
		if !containsAny(r.out, strings.Split(f, "|")) {
			t.Errorf("output lacks %q", f)
		}
	}
	for _, never := range []string{"panic", "goroutine "} {
		if strings.Contains(r.out, never) {
			t.Errorf("output contains %q", never)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// report reads one report file of the run.
func (r faultRun) report(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.reportDir, name))
	if err != nil {
		t.Fatalf("report %s: %v", name, err)
	}
	return string(data)
}

// TestFaultsAtPreflight: a target that cannot be reached is exit 3 before any scenario, naming
// the URL and the cause; a self-signed certificate passes once the target opts in.
func TestFaultsAtPreflight(t *testing.T) {
	t.Parallel()
	tlsSrv := newFaultServer(t, true)
	hole := blackhole(t)
	feature := writeFeature(t, `When alice requests the "ok" route`, `Then the response status is 200`)
	tests := []struct {
		name   string
		target faultTarget
		code   int
		want   []string
	}{
		{"accepts and never answers", faultTarget{baseURL: hole}, ExitUnreachable,
			[]string{"unreachable", "GET " + hole + "/", "timed out after timeouts.request (1s)"}},
		{"name does not resolve", faultTarget{baseURL: "http://regress-fault.invalid"}, ExitUnreachable,
			// The resolver says so, or (a resolver that never answers) the request timeout does.
			[]string{"unreachable", "GET http://regress-fault.invalid/", "lookup regress-fault.invalid|timed out after timeouts.request"}},
		{"self-signed certificate", faultTarget{baseURL: tlsSrv.URL}, ExitUnreachable,
			[]string{"unreachable", "GET " + tlsSrv.URL + "/", "x509: certificate signed by unknown authority"}},
		{"self-signed certificate with insecure_tls", faultTarget{baseURL: tlsSrv.URL, insecureTLS: true}, ExitPassed,
			[]string{"1 passed, 0 failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runFault(t, writeConfig(t, tt.target), feature)
			r.expect(t, tt.code, faultBound, tt.want...)
			if tt.code == ExitUnreachable && !strings.Contains(r.report(t, "summary.md"), "unreachable") {
				t.Errorf("summary.md does not say the target was unreachable:\n%s", r.report(t, "summary.md"))
			}
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		if n := tlsSrv.Hits("/ok"); n != 1 {
			t.Errorf("the TLS target saw %d requests for /ok, want 1 (from the insecure_tls run only)", n)
		}
	})
}

// TestFaultsMidRun: the target answers "/" (the preflight passes) and misbehaves on one path; the
// scenario fails (exit 1) naming the URL and the cause, in bounded time.
func TestFaultsMidRun(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t, false)
	cfg := writeConfig(t, faultTarget{baseURL: srv.URL})
	u := func(path string) string { return srv.URL + path }
	tests := []struct {
		name  string
		steps []string
		want  []string
	}{
		{"accepts and never answers",
			[]string{`When alice requests the "hang" route`, `Then the response status is 200`},
			[]string{"GET " + u("/hang") + ": timed out after timeouts.request (1s)", "awaiting headers"}},
		{"headers then the body stalls",
			[]string{`When alice requests the "stall_body" route`, `Then the response status is 200`},
			[]string{"GET " + u("/stall-body") + ": reading the body: timed out after timeouts.request (1s)"}},
		{"drips bytes slowly",
			[]string{`When alice requests the "drip" route`, `Then the response status is 200`},
			[]string{"GET " + u("/drip") + ": reading the body: timed out after timeouts.request (1s)"}},
		{"resets the connection mid-body",
			[]string{`When alice requests the "reset" route`, `Then the response status is 200`},
			[]string{"GET " + u("/reset") + ": reading the body:", "connection reset by peer"}},
		{"500 persistently",
			[]string{`When alice requests the "broken" route`, `Then the response status is 200`},
			[]string{"GET " + u("/broken") + " answered 500; expected 200"}},
		{"malformed JSON",
			[]string{`When alice requests the "malformed" route`, `Then the response JSON field "id" is "ord_1"`},
			[]string{"GET " + u("/malformed") + " answered 200 with a body that is not JSON", "unexpected end of JSON input"}},
		{"redirect loop",
			[]string{`When alice requests the "loop" route`, `Then the response status is 200`},
			[]string{"GET " + u("/loop") + " answered 302 (Location: /loop); expected 200"}},
		{"redirect to another host",
			[]string{`When alice requests the "away" route`, `Then the response status is 200`},
			[]string{"GET " + u("/away") + " answered 302 (Location: " + srv.other.URL + "/steal); expected 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runFault(t, cfg, writeFeature(t, tt.steps...))
			r.expect(t, ExitFailed, faultBound, append(tt.want, "fault.feature:", "1 failed")...)
			if s := r.report(t, "summary.md"); !strings.Contains(s, "1 failed") {
				t.Errorf("summary.md does not report the failure:\n%s", s)
			}
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		// Redirects are never followed: the other host never sees a request, so neither the
		// bearer token nor any cookie can reach it.
		if n := srv.otherHits.Load(); n != 0 {
			t.Errorf("the other host received %d requests; want none", n)
		}
		if n := srv.Hits("/loop"); n != 1 {
			t.Errorf("the redirect loop was requested %d times; want 1 (redirects are not followed)", n)
		}
		if n := srv.Hits("/broken"); n != 1 {
			t.Errorf("the 500 was requested %d times; want 1 (a 500 is not retried)", n)
		}
	})
}

// TestFaultHugeBodyStaysBounded: a 400 MB body is read only up to max_body_bytes, the heap
// stays far below the body's size, the run passes, and the report says the body was cut.
// Not parallel: the heap is measured while nothing else runs in this process.
func TestFaultHugeBodyStaysBounded(t *testing.T) {
	srv := newFaultServer(t, false)
	cfg := writeConfig(t, faultTarget{baseURL: srv.URL, maxBodyBytes: 1 << 20})
	feature := writeFeature(t, `When alice requests the "huge" route`, `Then the response status is 200`)

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	r := runFault(t, cfg, feature)
	close(stop)
	<-sampled

	r.expect(t, ExitPassed, faultBound, "1 passed, 0 failed")
	const heapBound = 100 << 20
	t.Logf("peak heap in use %d MiB; the server wrote %d MiB of %d MiB", peak.Load()>>20, srv.hugeSent.Load()>>20, hugeBodySize>>20)
	if peak.Load() > heapBound {
		t.Errorf("peak heap in use %d MiB, want under %d MiB for a %d MiB body", peak.Load()>>20, heapBound>>20, hugeBodySize>>20)
	}
	if sent := srv.hugeSent.Load(); sent > hugeBodySize/4 {
		t.Errorf("the client read %d MiB of the body; it should stop soon after max_body_bytes", sent>>20)
	}
	transcript := attachment(t, r.report(t, "cucumber.json"), "HTTP transcript")
	if want := "body cut at max_body_bytes: 1048576 of 419430400 bytes read and scanned"; !strings.Contains(transcript, want) {
		t.Errorf("cucumber.json's transcript lacks %q:\n%s", want, transcript)
	}
}

// TestFaultRetriesOnlyWhereSafe: a GET that answers 503 twice then 200 passes after three
// attempts, all shown in the report; a POST to a 503 is attempted once; a leak is never retried.
func TestFaultRetriesOnlyWhereSafe(t *testing.T) {
	t.Parallel()
	t.Run("GET recovers after two 503s", func(t *testing.T) {
		t.Parallel()
		srv := newFaultServer(t, false)
		r := runFault(t, writeConfig(t, faultTarget{baseURL: srv.URL}),
			writeFeature(t, `When alice requests the "flaky" route`, `Then the response status is 200`))
		r.expect(t, ExitPassed, faultBound, "1 passed, 0 failed")
		if n := srv.Hits("/flaky"); n != 3 {
			t.Errorf("/flaky was requested %d times, want 3", n)
		}
		transcript := attachment(t, r.report(t, "cucumber.json"), "HTTP transcript")
		attempt := "alice: GET " + srv.URL + "/flaky -> "
		if strings.Count(transcript, attempt+"503") != 2 || strings.Count(transcript, ", retried") != 2 || !strings.Contains(transcript, attempt+"200") {
			t.Errorf("the report's transcript does not show two retried 503s then a 200:\n%s", transcript)
		}
	})
	t.Run("POST to a 503 is attempted once", func(t *testing.T) {
		t.Parallel()
		srv := newFaultServer(t, false)
		r := runFault(t, writeConfig(t, faultTarget{baseURL: srv.URL}),
			writeFeature(t, "When alice sends POST \"/unavailable\" with JSON:\n  \"\"\"\n  {\"plan\": \"pro\"}\n  \"\"\"", `Then the response status is 200`))
		r.expect(t, ExitFailed, faultBound, "POST "+srv.URL+"/unavailable answered 503; expected 200")
		if n := srv.Hits("/unavailable"); n != 1 {
			t.Errorf("the POST was sent %d times, want exactly 1", n)
		}
	})
	t.Run("a leak is never retried", func(t *testing.T) {
		t.Parallel()
		srv := newFaultServer(t, false)
		r := runFault(t, writeConfig(t, faultTarget{baseURL: srv.URL}),
			writeFeature(t, `When alice requests the "leaky" route`, `Then the response status is 200`))
		r.expect(t, ExitFailed, faultBound, "leak: alice saw bob's email", "GET "+srv.URL+"/leaky", "1 failed")
		if strings.Contains(r.out, leakyValue) {
			t.Errorf("the output shows the leaked value unmasked")
		}
		if n := srv.Hits("/leaky"); n != 1 {
			t.Errorf("/leaky was requested %d times, want 1: a leak is never retried", n)
		}
	})
}

// TestFaultRunTimeout: a scenario (or a preflight) hanging longer than --timeout ends the run
// promptly, exit 1, with the reports marked interrupted.
func TestFaultRunTimeout(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t, false)
	hang := writeFeature(t, `When alice requests the "hang" route`, `Then the response status is 200`)
	tests := []struct {
		name    string
		target  faultTarget
		want    []string
		summary string
	}{
		{"a scenario outlasts it", faultTarget{baseURL: srv.URL, request: "30s", scenario: "60s"},
			[]string{"GET " + srv.URL + "/hang: stopped, the run's --timeout (2s) ran out", "(1 of 1 scenarios ran)"},
			"interrupted after 1 of 1 scenarios"},
		{"the preflight outlasts it", faultTarget{baseURL: blackhole(t), request: "30s", scenario: "60s"},
			[]string{"(0 of 1 scenarios ran)"},
			"interrupted after 0 of 1 scenarios"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runFault(t, writeConfig(t, tt.target), hang, "--timeout", "2s")
			r.expect(t, ExitFailed, faultBound, append(tt.want, "the run hit its --timeout before finishing")...)
			if r.elapsed < 2*time.Second {
				t.Errorf("ended after %v, before its --timeout", r.elapsed)
			}
			if s := r.report(t, "summary.md"); !strings.Contains(s, tt.summary) {
				t.Errorf("summary.md is not marked interrupted:\n%s", s)
			}
			if h := r.report(t, "report.html"); !strings.Contains(h, "Interrupted: the run was stopped") {
				t.Errorf("report.html is not marked interrupted")
			}
		})
	}
}

// attachment returns the text of the first embedding with the given name in a cucumber.json.
func attachment(t *testing.T, cucumber, name string) string {
	t.Helper()
	var features []struct {
		Elements []struct {
			Steps []struct {
				Embeddings []struct {
					Name string `json:"name"`
					Data []byte `json:"data"` // base64 in the file
				} `json:"embeddings"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(cucumber), &features); err != nil {
		t.Fatalf("cucumber.json: %v", err)
	}
	for _, f := range features {
		for _, el := range f.Elements {
			for _, st := range el.Steps {
				for _, e := range st.Embeddings {
					if e.Name == name {
						return string(e.Data)
					}
				}
			}
		}
	}
	t.Fatalf("cucumber.json has no %q attachment:\n%s", name, cucumber)
	return ""
}
