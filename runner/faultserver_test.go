package runner

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultServer is a loopback target that misbehaves on purpose. "/" answers normally (the
// preflight passes), and each fault lives on its own path:
//
//	/ok           200 with a small JSON body
//	/hang         accepts the request and never answers
//	/stall-body   answers the headers and part of the body, then stalls
//	/drip         sends the body one byte every 200 ms
//	/reset        sends the headers and part of the body, then resets the connection (RST)
//	/flaky        503 twice, then 200
//	/broken       500, always
//	/unavailable  503, always
//	/huge         hugeBodySize bytes, streamed from one small buffer
//	/malformed    200 with a JSON body cut in the middle
//	/loop         302 to itself
//	/away         302 to another server (see faultServer.other)
//	/leaky        bob's email on the first request, a clean body afterwards
//	/slow-page    an HTML page whose answer never comes (for browser steps)
//
// Every stalled handler is released when the test ends.
type faultServer struct {
	*httptest.Server
	// other is the host /away redirects to; it must never receive a request.
	other     *httptest.Server
	otherHits atomic.Int64

	mu   sync.Mutex
	hits map[string]int
	// arrived gets a path each time a request for it arrives (never blocks: best effort).
	arrived chan string

	hugeSent atomic.Int64 // bytes of /huge written before the client went away
	done     chan struct{}
}

// hugeBodySize is what /huge sends when the client reads it all: far above any max_body_bytes.
const hugeBodySize = 400 << 20

// leakyValue is bob's fingerprint, which /leaky shows to whoever asks first.
const leakyValue = "bob@fault.test"

// newFaultServer starts a fault server on 127.0.0.1, with TLS (a self-signed certificate) when
// tlsOn.
func newFaultServer(t *testing.T, tlsOn bool) *faultServer {
	t.Helper()
	f := &faultServer{hits: map[string]int{}, arrived: make(chan string, 64), done: make(chan struct{})}
	f.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.otherHits.Add(1)
		fmt.Fprint(w, "credentials must never reach this host")
	}))
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	// Silence "http: TLS handshake error" and friends: refused handshakes are the point here.
	f.Server.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tlsOn {
		f.Server.StartTLS()
	} else {
		f.Server.Start()
	}
	t.Cleanup(func() {
		close(f.done)
		f.Server.CloseClientConnections()
		f.Server.Close()
		f.other.Close()
	})
	return f
}

// Hits returns how many requests for path arrived.
func (f *faultServer) Hits(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func (f *faultServer) hit(path string) int {
	f.mu.Lock()
	f.hits[path]++
	n := f.hits[path]
	f.mu.Unlock()
	select {
	case f.arrived <- path:
	default:
	}
	return n
}

// stall blocks until the client goes away or the test ends.
func (f *faultServer) stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-f.done:
	}
}

func (f *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	n := f.hit(r.URL.Path)
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>fault server</body></html>")
	case "/ok":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok": true}`)
	case "/hang", "/slow-page":
		f.stall(r)
	case "/stall-body":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"orders": [`)
		http.NewResponseController(w).Flush()
		f.stall(r)
	case "/drip":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
			select {
			case <-tick.C:
			case <-r.Context().Done():
				return
			case <-f.done:
				return
			}
		}
	case "/reset":
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot hijack: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"orders\": [")
		_ = buf.Flush()
		time.Sleep(50 * time.Millisecond)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN
		}
		_ = conn.Close()
	case "/flaky":
		if n <= 2 {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok": true}`)
	case "/broken":
		http.Error(w, "internal error", http.StatusInternalServerError)
	case "/unavailable":
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	case "/huge":
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(hugeBodySize))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for sent := 0; sent < hugeBodySize; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			f.hugeSent.Add(int64(len(chunk)))
		}
	case "/malformed":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": "ord_1", "items": [1, 2`)
	case "/loop":
		http.Redirect(w, r, "/loop", http.StatusFound)
	case "/away":
		http.Redirect(w, r, f.other.URL+"/steal", http.StatusFound)
	case "/leaky":
		w.Header().Set("Content-Type", "application/json")
		if n == 1 {
			fmt.Fprintf(w, `{"email": %q}`, leakyValue)
			return
		}
		fmt.Fprint(w, `{"email": "alice@fault.test"}`)
	default:
		http.NotFound(w, r)
	}
}

// waitFor waits until a request for path arrives, or fails the test after limit.
func (f *faultServer) waitFor(t *testing.T, path string, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for f.Hits(path) == 0 {
		select {
		case <-f.arrived:
		case <-deadline:
			t.Fatalf("no request for %s arrived within %v", path, limit)
		}
	}
}

// blackhole returns the URL of a loopback port that accepts connections and never answers.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read nor written
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// faultRoutes are the routes of the fault target: one per fault path.
var faultRoutes = []string{"ok", "hang", "stall-body", "drip", "reset", "flaky", "broken", "unavailable", "huge", "malformed", "loop", "away", "leaky"}

// faultTarget describes the config written by writeConfig.
type faultTarget struct {
	baseURL      string
	insecureTLS  bool
	request      string // timeouts.request; default 1s
	scenario     string // timeouts.scenario; default 10s
	maxBodyBytes int64  // default 1 MiB
	extra        string // more YAML lines under the target, indented by four spaces
}

// writeConfig writes a regress.yaml with one target "faulty" pointing at the fault server: two
// accounts with pre-issued tokens, a route per fault path and short timeouts. It returns its path.
func writeConfig(t *testing.T, ft faultTarget) string {
	t.Helper()
	if ft.request == "" {
		ft.request = "1s"
	}
	if ft.scenario == "" {
		ft.scenario = "10s"
	}
	if ft.maxBodyBytes == 0 {
		ft.maxBodyBytes = 1 << 20
	}
	var routes strings.Builder
	for _, r := range faultRoutes {
		fmt.Fprintf(&routes, "      %s: {path: /%s}\n", strings.ReplaceAll(r, "-", "_"), r)
	}
	routes.WriteString("      slow_page: {path: /slow-page, kind: page}\n")
	yaml := fmt.Sprintf(`targets:
  faulty:
    base_url: %s
    allow_mutations: true
    insecure_tls: %t
    timeouts:
      request: %s
      scenario: %s
    max_body_bytes: %d
%s    routes:
%s    accounts:
      - name: alice
        login: {strategy: token, token: tok-alice-0123456789abcdef}
        fingerprints: {email: alice@fault.test, customer_id: cus_FaultAlice01}
      - name: bob
        login: {strategy: token, token: tok-bob-0123456789abcdef}
        fingerprints: {email: %s, customer_id: cus_FaultBob02}
`, ft.baseURL, ft.insecureTLS, ft.request, ft.scenario, ft.maxBodyBytes, ft.extra, routes.String(), leakyValue)
	path := filepath.Join(t.TempDir(), "regress.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeFeature writes a feature file with one scenario made of the given steps (one per line)
// and returns its path.
func writeFeature(t *testing.T, steps ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Feature: faults\n\n  Scenario: a fault\n")
	for _, s := range steps {
		for _, line := range strings.Split(s, "\n") {
			b.WriteString("    " + line + "\n")
		}
	}
	path := filepath.Join(t.TempDir(), "fault.feature")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
