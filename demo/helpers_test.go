package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testEnv is one demo app served over real HTTP on loopback.
type testEnv struct {
	t     *testing.T
	srv   *httptest.Server
	clock *fakeClock
}

func newEnv(t *testing.T, bugs ...string) *testEnv {
	t.Helper()
	set := Bugs{}
	for _, b := range bugs {
		set[b] = true
	}
	return newEnvOptions(t, Options{Bugs: set})
}

// newEnvOptions serves New(opts) with opts.Now replaced by a fake clock.
func newEnvOptions(t *testing.T, opts Options) *testEnv {
	t.Helper()
	clock := &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	opts.Now = clock.Now
	srv := httptest.NewServer(New(opts))
	t.Cleanup(srv.Close)
	return &testEnv{t: t, srv: srv, clock: clock}
}

// testClient is one visitor: its own cookie jar, redirects not followed.
type testClient struct {
	t    *testing.T
	base string
	hc   *http.Client
	// bearer, when set, is sent as Authorization instead of relying on cookies.
	bearer string
}

func (e *testEnv) anon() *testClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &testClient{t: e.t, base: e.srv.URL, hc: &http.Client{
		Jar:           jar,
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// login returns a client logged in through POST /api/login as the named seed customer.
func (e *testEnv) login(name string) *testClient {
	e.t.Helper()
	c := e.anon()
	res := c.postJSON("/api/login", map[string]string{"email": name + "@example.test", "password": name + "-demo-password"})
	if res.status != http.StatusOK {
		e.t.Fatalf("login %s: status %d: %s", name, res.status, res.body)
	}
	return c
}

type result struct {
	status int
	header http.Header
	body   string
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (c *testClient) do(req *http.Request) result {
	c.t.Helper()
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return result{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (c *testClient) get(path string) result {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *testClient) post(path, contentType string, body []byte, header map[string]string) result {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

func (c *testClient) postJSON(path string, v any) result {
	c.t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.post(path, "application/json", body, nil)
}

func (c *testClient) postForm(path string, form url.Values) result {
	c.t.Helper()
	return c.post(path, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
}

// sessionCookie returns the client's session cookie value, or "".
func (c *testClient) sessionCookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

// setSessionCookie replaces the client's session cookie.
func (c *testClient) setSessionCookie(value string) {
	u, _ := url.Parse(c.base)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: value, Path: "/"}})
}

// fingerprints are the values that belong to one seed customer alone.
var fingerprints = map[string][]string{
	"alice": {"usr_alice", "alice@example.test", "Alice Andersen", "cus_DemoAlice01", "ord_alice_1001", "ord_alice_1002", "cs_demo_alice"},
	"bob":   {"usr_bob", "bob@example.test", "Bob Brennan", "cus_DemoBob02", "ord_bob_2001", "cs_demo_bob"},
	"carol": {"usr_carol", "carol@example.test", "Carol Castillo", "cus_DemoCarol03"},
}

// leaks returns the fingerprints of customers other than self found in text ("" self: everyone's).
func leaks(self, text string) []string {
	var found []string
	for who, values := range fingerprints {
		if who == self {
			continue
		}
		for _, v := range values {
			if strings.Contains(text, v) {
				found = append(found, who+":"+v)
			}
		}
	}
	return found
}

func wantStatus(t *testing.T, what string, r result, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; body: %.300s", what, r.status, want, r.body)
	}
}
