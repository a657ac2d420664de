package browser

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// testBrowser is the one browser of this test binary: started in TestMain, closed after the tests.
// Tests that need their own Browser (process cleanup, start errors) make it themselves.
var testBrowser *Browser

// testBrowserErr is the result of starting testBrowser.
var testBrowserErr error

func TestMain(m *testing.M) {
	testBrowser = New(Options{LookupEnv: chromePathOnly})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	testBrowserErr = testBrowser.Start(ctx)
	cancel()
	code := m.Run()
	if err := testBrowser.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "closing the test browser:", err)
		code = 1
	}
	os.Exit(code)
}

// chromePathOnly passes CHROME_PATH through and hides REGRESS_CDP_URL: a remote browser could not
// reach the tests' loopback servers.
func chromePathOnly(key string) (string, bool) {
	if key == "CHROME_PATH" {
		return os.LookupEnv(key)
	}
	return "", false
}

// requireBrowser skips the test when this machine has no Chromium at all, and fails it when
// Chromium is there but did not start.
func requireBrowser(t *testing.T) {
	t.Helper()
	if testBrowserErr == nil {
		return
	}
	// No skip: `make test` installs Chromium, and a browser test that cannot run must not pass.
	t.Fatal(testBrowserErr)
}

// newContext returns a fresh browser context of testBrowser, closed when the test ends.
func newContext(t *testing.T) *Context {
	t.Helper()
	requireBrowser(t)
	c, err := testBrowser.NewContext(t.Context())
	if err != nil {
		t.Fatalf("NewContext: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// serve starts a loopback server for the test.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// cookieEcho serves pages that print the Cookie header they received, and remembers it per
// ?who= value.
type cookieEcho struct {
	mu   sync.Mutex
	seen map[string]string
}

func (e *cookieEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/echo" {
		http.NotFound(w, r)
		return
	}
	e.mu.Lock()
	if e.seen == nil {
		e.seen = map[string]string{}
	}
	e.seen[r.URL.Query().Get("who")] = r.Header.Get("Cookie")
	e.mu.Unlock()
	fmt.Fprintf(w, "<!doctype html><title>echo</title><pre id=cookie>%s</pre>", html.EscapeString(r.Header.Get("Cookie")))
}

func (e *cookieEcho) cookie(who string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seen[who]
}

func TestCookieIsolation(t *testing.T) {
	t.Parallel()
	echo := &cookieEcho{}
	srv := serve(t, echo)
	ctx := t.Context()
	a, b := newContext(t), newContext(t)

	if err := a.SetCookies(ctx, []*http.Cookie{{Name: "session", Value: "alice-7f3a"}}, srv.URL); err != nil {
		t.Fatal(err)
	}
	va, err := a.Visit(ctx, srv.URL+"/echo?who=a")
	if err != nil {
		t.Fatal(err)
	}
	vb, err := b.Visit(ctx, srv.URL+"/echo?who=b")
	if err != nil {
		t.Fatal(err)
	}

	if got := echo.cookie("a"); got != "session=alice-7f3a" {
		t.Errorf("context A sent Cookie %q, want session=alice-7f3a", got)
	}
	if got := echo.cookie("b"); strings.Contains(got, "alice-7f3a") {
		t.Errorf("context B sent A's cookie: %q", got)
	}
	if !strings.Contains(va.DOM, "alice-7f3a") {
		t.Errorf("A's page does not show its cookie:\n%s", va.DOM)
	}
	if strings.Contains(vb.DOM, "alice-7f3a") {
		t.Errorf("B's page shows A's cookie:\n%s", vb.DOM)
	}

	ca, err := a.Cookies(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(ca) != 1 || ca[0].Name != "session" || ca[0].Value != "alice-7f3a" || ca[0].Path != "/" {
		t.Errorf("A's cookies = %v, want session=alice-7f3a with Path /", ca)
	}
	cb, err := b.Cookies(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(cb) != 0 {
		t.Errorf("B has cookies %v, want none", cb)
	}
}

// TestParallelContexts runs several accounts at once on the shared browser: each sees only its own
// cookie. Run with -race, it also checks the goroutine safety of Browser and Context.
func TestParallelContexts(t *testing.T) {
	t.Parallel()
	requireBrowser(t)
	echo := &cookieEcho{}
	srv := serve(t, echo)
	ctx := t.Context()
	const accounts = 3
	var wg sync.WaitGroup
	errs := make([]error, accounts)
	for i := range accounts {
		wg.Go(func() {
			errs[i] = func() error {
				c, err := testBrowser.NewContext(ctx)
				if err != nil {
					return err
				}
				defer c.Close()
				who := "acct" + strconv.Itoa(i)
				if err := c.SetCookies(ctx, []*http.Cookie{{Name: "session", Value: who + "-secret"}}, srv.URL); err != nil {
					return err
				}
				v, err := c.Visit(ctx, srv.URL+"/echo?who="+who)
				if err != nil {
					return err
				}
				if got, want := echo.cookie(who), "session="+who+"-secret"; got != want {
					return fmt.Errorf("%s sent Cookie %q, want %q", who, got, want)
				}
				for j := range accounts {
					if other := "acct" + strconv.Itoa(j) + "-secret"; j != i && strings.Contains(v.DOM, other) {
						return fmt.Errorf("%s sees %s", who, other)
					}
				}
				return nil
			}()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestVisitCapturesFetchAndDOM(t *testing.T) {
	t.Parallel()
	const marker = "marker-91c2"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><div id=out>waiting</div><script src="/app.js"></script></body></html>`)
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		// The fetch starts after the load event: only the wait for network idle catches it.
		fmt.Fprint(w, `setTimeout(() => fetch('/api/data').then(r => r.json()).then(d => {
			document.getElementById('out').textContent = d.message;
		}), 150);`)
	})
	mux.HandleFunc("GET /api/data", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"message":"rendered %s"}`, marker)
	})
	srv := serve(t, mux)
	c := newContext(t)

	v, err := c.Visit(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != http.StatusOK || v.FinalURL != srv.URL+"/" || v.RequestedURL != srv.URL+"/" {
		t.Errorf("status %d, final %q, requested %q; want 200 and %s/", v.Status, v.FinalURL, v.RequestedURL, srv.URL)
	}
	byURL := map[string]NetResponse{}
	for _, r := range v.Responses {
		byURL[r.URL] = r
	}
	api, ok := byURL[srv.URL+"/api/data"]
	switch {
	case !ok:
		t.Fatalf("no response for /api/data among %d responses", len(v.Responses))
	case api.Type != "Fetch" && api.Type != "XHR":
		t.Errorf("/api/data type %q, want Fetch or XHR", api.Type)
	case api.Method != http.MethodGet || api.Status != http.StatusOK || api.MIMEType != "application/json":
		t.Errorf("/api/data: %s %d %s", api.Method, api.Status, api.MIMEType)
	case !bytes.Contains(api.Body, []byte(marker)):
		t.Errorf("/api/data body %q (error %q) lacks the marker", api.Body, api.BodyErr)
	case !strings.HasPrefix(api.Header.Get("Content-Type"), "application/json"):
		t.Errorf("/api/data headers %v", api.Header)
	}
	if doc := byURL[srv.URL+"/"]; doc.Type != "Document" || !bytes.Contains(doc.Body, []byte("<div id=out>")) {
		t.Errorf("document response: type %q body %q error %q", doc.Type, doc.Body, doc.BodyErr)
	}
	if js := byURL[srv.URL+"/app.js"]; js.Type != "Script" || !bytes.Contains(js.Body, []byte("fetch(")) {
		t.Errorf("script response: type %q body %q error %q", js.Type, js.Body, js.BodyErr)
	}
	if !strings.Contains(v.DOM, "rendered "+marker) || !strings.Contains(v.Text, "rendered "+marker) {
		t.Errorf("rendered text missing:\nDOM %s\ntext %q", v.DOM, v.Text)
	}
}

// TestVisitCapturesCrossSiteIframe checks that a frame from another site reports its requests to
// the page: with site isolation on, they would go to a separate target and be lost.
func TestVisitCapturesCrossSiteIframe(t *testing.T) {
	t.Parallel()
	inner := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api" {
			fmt.Fprint(w, `{"owner":"iframe-marker-5d1e"}`)
			return
		}
		fmt.Fprint(w, `<p>inner</p><script>fetch('/api')</script>`)
	}))
	// localhost and 127.0.0.1 are different sites.
	innerURL := strings.Replace(inner.URL, "127.0.0.1", "localhost", 1)
	outer := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<p>outer</p><iframe src="%s/frame"></iframe>`, innerURL)
	}))
	c := newContext(t)
	v, err := c.Visit(t.Context(), outer.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range v.Responses {
		if r.URL == innerURL+"/api" && bytes.Contains(r.Body, []byte("iframe-marker-5d1e")) {
			return
		}
	}
	t.Errorf("the iframe's fetch was not captured among %d responses", len(v.Responses))
}

func TestVisitRedirectAndErrorStatus(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusFound)
	})
	mux.HandleFunc("GET /new", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<p>arrived</p>")
	})
	mux.HandleFunc("GET /missing", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<p>no such page</p>")
	})
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError) // no body: Chromium shows its own error page
	})
	srv := serve(t, mux)
	c := newContext(t)
	ctx := t.Context()

	v, err := c.Visit(ctx, srv.URL+"/old")
	if err != nil {
		t.Fatal(err)
	}
	if v.FinalURL != srv.URL+"/new" || v.Status != http.StatusOK || !strings.Contains(v.Text, "arrived") {
		t.Errorf("redirect: final %q status %d text %q", v.FinalURL, v.Status, v.Text)
	}
	if len(v.Responses) == 0 || v.Responses[0].Status != http.StatusFound || v.Responses[0].Header.Get("Location") != "/new" {
		t.Errorf("first response should be the 302 to /new: %+v", v.Responses)
	}

	v, err = c.Visit(ctx, srv.URL+"/missing")
	if err != nil {
		t.Fatalf("a 404 page must not be an error: %v", err)
	}
	if v.Status != http.StatusNotFound || !strings.Contains(v.Text, "no such page") {
		t.Errorf("404: status %d text %q", v.Status, v.Text)
	}

	v, err = c.Visit(ctx, srv.URL+"/broken")
	if err != nil {
		t.Fatalf("an empty 500 must not be an error: %v", err)
	}
	if v.Status != http.StatusInternalServerError || v.FinalURL != srv.URL+"/broken" {
		t.Errorf("500: status %d final %q", v.Status, v.FinalURL)
	}
}

func TestDeleteCookie(t *testing.T) {
	t.Parallel()
	echo := &cookieEcho{}
	srv := serve(t, echo)
	c := newContext(t)
	ctx := t.Context()
	err := c.SetCookies(ctx, []*http.Cookie{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteCookie(ctx, "a", srv.URL); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteCookie(ctx, "never-set", srv.URL); err != nil {
		t.Errorf("deleting a missing cookie: %v", err)
	}
	got, err := c.Cookies(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "b" || got[0].Value != "2" {
		t.Errorf("cookies after deleting a: %v, want only b=2", got)
	}
	if _, err := c.Visit(ctx, srv.URL+"/echo?who=c"); err != nil {
		t.Fatal(err)
	}
	if got := echo.cookie("c"); got != "b=2" {
		t.Errorf("the page received Cookie %q, want b=2", got)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><form method=post action=/login>
			<input id=user name=user value="prefilled"><input id=pass name=pass type=password>
			<button id=go type=submit>Sign in</button></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("user") != "alice" || r.FormValue("pass") != "s3cret" {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "tok-alice", Path: "/", HttpOnly: true})
		http.Redirect(w, r, "/home", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /home", func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("session"); err != nil || ck.Value != "tok-alice" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		fmt.Fprint(w, "<h1>Welcome alice</h1>")
	})
	srv := serve(t, mux)
	c := newContext(t)
	ctx := t.Context()

	v, err := c.Login(ctx, srv.URL+"/login", "#user", "#pass", "#go", "alice", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if v.FinalURL != srv.URL+"/home" || v.Status != http.StatusOK || !strings.Contains(v.Text, "Welcome alice") {
		t.Fatalf("after login: final %q status %d text %q", v.FinalURL, v.Status, v.Text)
	}
	var sawForm, sawPost bool
	for _, r := range v.Responses {
		sawForm = sawForm || r.Type == "Document" && bytes.Contains(r.Body, []byte("<form"))
		sawPost = sawPost || r.Method == http.MethodPost && r.Status == http.StatusSeeOther
	}
	if !sawForm || !sawPost {
		t.Errorf("responses lack the login form (%v) or the POST's 303 (%v)", sawForm, sawPost)
	}
	cookies, err := c.Cookies(ctx, srv.URL+"/home")
	if err != nil {
		t.Fatal(err)
	}
	if len(cookies) != 1 || cookies[0].Value != "tok-alice" || !cookies[0].HttpOnly {
		t.Errorf("cookies after login: %v", cookies)
	}
	// The session belongs to the browser context, not to the tab.
	v, err = c.Visit(ctx, srv.URL+"/home")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Text, "Welcome alice") {
		t.Errorf("a new tab of the context lost the session: %q", v.Text)
	}
}

// TestLoginMissingField checks that a query for an element that never appears ends with the
// caller's deadline instead of waiting forever.
func TestLoginMissingField(t *testing.T) {
	t.Parallel()
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><form><input id=user></form>`)
	}))
	c := newContext(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Login(ctx, srv.URL+"/", "#user", "#no-password-field", "#go", "alice", "pw")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Login = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Login took %v after a 2s deadline", d)
	}
	// The context stays usable.
	if ok, err := c.ElementExists(t.Context(), "#user"); !ok || err != nil {
		t.Errorf("ElementExists after the failed login = %v, %v", ok, err)
	}
}

func TestCurrentPage(t *testing.T) {
	t.Parallel()
	var count int
	var mu sync.Mutex
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		count++
		n := count
		mu.Unlock()
		fmt.Fprintf(w, "<!doctype html><p id=here>count %d</p>", n)
	}))
	c := newContext(t)
	ctx := t.Context()

	if _, err := c.Screenshot(ctx); err == nil {
		t.Error("Screenshot without a page: no error")
	}
	if _, err := c.ElementExists(ctx, "p"); err == nil {
		t.Error("ElementExists without a page: no error")
	}
	if _, err := c.Reload(ctx); err == nil {
		t.Error("Reload without a page: no error")
	}

	if _, err := c.Visit(ctx, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.ElementExists(ctx, "#here"); !ok || err != nil {
		t.Errorf("ElementExists(#here) = %v, %v", ok, err)
	}
	start := time.Now()
	if ok, err := c.ElementExists(ctx, "#absent"); ok || err != nil {
		t.Errorf("ElementExists(#absent) = %v, %v", ok, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ElementExists of an absent element took %v: it must not wait", d)
	}
	if _, err := c.ElementExists(ctx, "p[[["); err == nil {
		t.Error("an invalid selector gave no error")
	}
	png, err := c.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot is not a PNG: % x", png[:min(8, len(png))])
	}

	v, err := c.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Text, "count 2") || v.Status != http.StatusOK || v.FinalURL != srv.URL+"/" {
		t.Errorf("reload: status %d final %q text %q", v.Status, v.FinalURL, v.Text)
	}
	var docs int
	for _, r := range v.Responses {
		if r.Type == "Document" {
			docs++
			if !bytes.Contains(r.Body, []byte("count 2")) {
				t.Errorf("reload captured %q", r.Body)
			}
		}
	}
	if docs != 1 {
		t.Errorf("reload captured %d documents, want only its own", docs)
	}
	dom, err := c.CurrentDOM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dom, `<p id="here">count 2</p>`) {
		t.Errorf("CurrentDOM = %s", dom)
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for name, opts := range map[string]Options{
		"missing binary": {ExecPath: filepath.Join(t.TempDir(), "no-chromium")},
		"remote refused": {RemoteURL: "ws://127.0.0.1:1/devtools/browser/none"},
	} {
		t.Run(name, func(t *testing.T) {
			opts.LookupEnv = func(string) (string, bool) { return "", false }
			b := New(opts)
			err := b.Start(ctx)
			var ue *UnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("Start = %v, want an *UnavailableError", err)
			}
			if !strings.Contains(err.Error(), "apt-get install chromium") || !strings.Contains(err.Error(), "REGRESS_CDP_URL") {
				t.Errorf("the message does not say how to fix it: %v", err)
			}
			if _, err := b.NewContext(ctx); !errors.As(err, &ue) {
				t.Errorf("NewContext = %v, want the same *UnavailableError", err)
			}
			if b.Started() {
				t.Error("Started after a failed start")
			}
			if err := b.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

func TestCloseWithoutStart(t *testing.T) {
	t.Parallel()
	b := New(Options{})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(t.Context()); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
}

// TestCloseLeavesNoProcess starts its own Browser and checks that Close leaves no Chromium
// process: none with its profile in the command line, and none (zombies included) below this
// test process, apart from the shared test browser's. It does not run in parallel: the other
// tests' Chromiums would blur the count.
func TestCloseLeavesNoProcess(t *testing.T) {
	requireBrowser(t)
	dir := t.TempDir()
	before := countChromium(t, dir)
	b := New(Options{TempDir: dir, LookupEnv: chromePathOnly})
	if b.Started() {
		t.Fatal("Started before any use")
	}

	// Several scenarios reach the browser at once: one Chromium starts, and the short context
	// of the first caller does not bound its life.
	startCtx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	contexts := make([]*Context, 3)
	errs := make([]error, len(contexts))
	var wg sync.WaitGroup
	for i := range contexts {
		wg.Go(func() { contexts[i], errs[i] = b.NewContext(startCtx) })
	}
	wg.Wait()
	cancel()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if !b.Started() {
		t.Error("not Started after NewContext")
	}
	if n := mainProcesses(dir); n != 1 {
		t.Errorf("%d chromium main processes with the profile, want 1", n)
	}
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<p>hello</p>")
	}))
	c := contexts[0]
	if _, err := c.Visit(t.Context(), srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	if during := countChromium(t, dir); during <= before {
		t.Fatalf("counted %d chromium processes while running, %d before: the count is broken", during, before)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if after := countChromium(t, dir); after != before {
		t.Errorf("%d chromium processes after Close, %d before", after, before)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("profile not removed: %v %v", entries, err)
	}
	if b.Started() {
		t.Error("Started after Close")
	}
	if _, err := c.Visit(t.Context(), srv.URL+"/"); !errors.Is(err, ErrClosed) {
		t.Errorf("Visit after Close = %v, want ErrClosed", err)
	}
}

// mainProcesses counts the live Chromium main processes (those without --type=) whose command line
// mentions dir.
func mainProcesses(dir string) int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && bytes.Contains(cmdline, []byte("--user-data-dir="+dir)) && !bytes.Contains(cmdline, []byte("--type=")) {
			n++
		}
	}
	return n
}

// countChromium counts the live processes whose command line mentions dir, plus the processes
// named like Chromium that descend from this test process, except the shared browser's.
func countChromium(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	self, shared := os.Getpid(), testBrowser.root
	parent := map[int]int{}
	names := map[int]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		open, closing := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if open < 0 || closing < open {
			continue
		}
		f := bytes.Fields(stat[closing+1:])
		if len(f) < 2 {
			continue
		}
		parent[pid], _ = strconv.Atoi(string(f[1]))
		names[pid] = string(stat[open+1 : closing])
	}
	n := 0
	for pid, name := range names {
		cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if bytes.Contains(cmdline, []byte(dir)) {
			n++
			continue
		}
		if !strings.Contains(name, "chrom") {
			continue
		}
		for p := pid; p > 1; p = parent[p] {
			if p == shared {
				break
			}
			if p == self {
				n++
				break
			}
		}
	}
	return n
}

// TestRemoteBrowser attaches to a Chromium that runs already, as with REGRESS_CDP_URL, and checks
// that Close leaves that browser running.
func TestRemoteBrowser(t *testing.T) {
	t.Parallel()
	requireBrowser(t)
	path, err := testBrowser.execPath()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--user-data-dir="+dir, "about:blank")
	cmd.Env = append(os.Environ(), "BREAKPAD_DUMP_LOCATION="+filepath.Join(dir, "Crash Reports"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		known := chromiumProcesses(cmd.Process.Pid, dir)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		known.stop(dir, reapTimeout)
	})
	wsURL := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "DevTools listening on "); ok {
				wsURL <- u
			}
		}
	}()
	var url string
	select {
	case url = <-wsURL:
	case <-time.After(20 * time.Second):
		t.Fatal("the remote chromium printed no DevTools address")
	}

	b := New(Options{RemoteURL: url, LookupEnv: func(string) (string, bool) { return "", false }})
	c, err := b.NewContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<p>remote hello</p>")
	}))
	v, err := c.Visit(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Text, "remote hello") {
		t.Errorf("text %q", v.Text)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// The remote browser must still serve another client.
	again := New(Options{RemoteURL: url, LookupEnv: func(string) (string, bool) { return "", false }})
	defer again.Close()
	if _, err := again.NewContext(t.Context()); err != nil {
		t.Errorf("the remote browser is gone after Close: %v", err)
	}
}

// TestVisitSettlesWhenTheScriptIgnoresABody: a page whose script gives up on a 401 without
// reading its body must not hold the visit until the action timeout (Chromium never reports
// that fetch as finished).
func TestVisitSettlesWhenTheScriptIgnoresABody(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><div id=out>waiting</div><script>
			fetch('/api/orders').then(r => { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
				.catch(() => { document.getElementById('out').textContent = 'failed'; });
		</script></body></html>`)
	})
	mux.HandleFunc("GET /api/orders", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"unauthorized"}`)
	})
	srv := serve(t, mux)
	c := newContext(t)
	start := time.Now()
	v, err := c.Visit(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > DefaultActionTimeout/2 {
		t.Errorf("the visit took %v: it waited for a body the page never reads", elapsed)
	}
	if !strings.Contains(v.Text, "failed") {
		t.Errorf("text %q, want the script's failure state", v.Text)
	}
	for _, r := range v.Responses {
		if strings.HasSuffix(r.URL, "/api/orders") && !bytes.Contains(r.Body, []byte("unauthorized")) {
			t.Errorf("the unread 401 body was not captured for the leak check: body %q, error %q", r.Body, r.BodyErr)
		}
	}
}

// TestFailRequests: matching requests get the injected 500 and never reach the server; the page
// shows its own error state.
func TestFailRequests(t *testing.T) {
	t.Parallel()
	var apiHits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><div id=out>waiting</div><script>
			fetch('/api/data').then(r => r.ok ? r.json() : Promise.reject(r.status))
				.then(d => { document.getElementById('out').textContent = d.message; })
				.catch(s => { document.getElementById('out').textContent = 'backend failed ' + s; });
		</script></body></html>`)
	})
	mux.HandleFunc("GET /api/data", func(w http.ResponseWriter, r *http.Request) {
		apiHits.Add(1)
		fmt.Fprint(w, `{"message":"real data"}`)
	})
	srv := serve(t, mux)
	c := newContext(t)
	if err := c.FailRequests("*/api/*"); err != nil {
		t.Fatal(err)
	}
	v, err := c.Visit(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Text, "backend failed 500") {
		t.Errorf("text %q, want the page's error state for a 500", v.Text)
	}
	if n := apiHits.Load(); n != 0 {
		t.Errorf("the server got %d API requests; the injected failure must answer them", n)
	}
	found := false
	for _, r := range v.Responses {
		if strings.HasSuffix(r.URL, "/api/data") && r.Status == 500 {
			found = true
		}
	}
	if !found {
		t.Errorf("no 500 response for /api/data among %+v", v.Responses)
	}
}

// TestVisitListsUnansweredRequests: a request that never gets an answer is still listed.
func TestVisitListsUnansweredRequests(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><script>fetch('/never').catch(() => {});</script></body></html>`)
	})
	mux.HandleFunc("GET /never", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	srv := serve(t, mux)
	requireBrowser(t)
	// A browser of its own with a short action timeout: the page never settles.
	b := New(Options{ActionTimeout: 2 * time.Second, TempDir: t.TempDir()})
	defer b.Close()
	c, err := b.NewContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Visit(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(v.Requests, srv.URL+"/never") {
		t.Errorf("requests %v lack the unanswered /never", v.Requests)
	}
}

// TestVisitCapturesWebSocketFrames: data pushed over a WebSocket reaches the capture like any
// other response.
func TestVisitCapturesWebSocketFrames(t *testing.T) {
	t.Parallel()
	const marker = "pushed-7d1e"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><body><div id=out>waiting</div><script>
			const ws = new WebSocket(location.origin.replace('http', 'ws') + '/live');
			ws.onmessage = (m) => { document.getElementById('out').textContent = 'got a push'; };
		</script></body></html>`)
	})
	mux.Handle("GET /live", websocket.Handler(func(c *websocket.Conn) {
		_ = websocket.Message.Send(c, `{"row":"`+marker+`"}`)
		var ignored string
		_ = websocket.Message.Receive(c, &ignored) // hold the socket open until the page goes
	}))
	srv := serve(t, mux)
	c := newContext(t)
	v, err := c.Visit(t.Context(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range v.Responses {
		if r.Type == "WebSocket" && bytes.Contains(r.Body, []byte(marker)) {
			found = true
		}
	}
	if !found {
		t.Errorf("no WebSocket frame with the marker among %+v", v.Responses)
	}
	if !slices.ContainsFunc(v.Requests, func(u string) bool { return strings.HasSuffix(u, "/live") }) {
		t.Errorf("requests %v lack the WebSocket URL", v.Requests)
	}
}
