// Package demo is the embedded demo target of regress: a small "Next.js + Stripe funnel"-like app
// with in-memory data and switchable, named bugs, each planting one real root cause of one customer
// seeing another customer's data. With no bug enabled it leaks nothing.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultSessionTTL is the session lifetime used when Options.SessionTTL is 0.
const DefaultSessionTTL = 30 * time.Minute

// ExpiredSessionToken is the token of a session that expired before the app started: the demo's
// session.expired_token.
const ExpiredSessionToken = "demo-expired-session-7f3c9a41d2e8b6"

// DefaultWebhookSecret is the Stripe webhook signing secret used when Options.WebhookSecret is "".
const DefaultWebhookSecret = "whsec_demo_regress_0123456789abcdef"

// Options configures one demo app.
type Options struct {
	// Bugs are the bugs to enable; nil enables none. Unknown names are ignored (ParseBugs rejects them).
	Bugs Bugs
	// SessionTTL is how long a session lasts after login; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
	// WebhookSecret is the Stripe webhook signing secret; "" means DefaultWebhookSecret.
	WebhookSecret string
	// Now is the clock for session expiry and cache ages; nil means time.Now.
	Now func() time.Time
}

// app is one demo app: its data, sessions and rendering. All mutable state is guarded by mu.
type app struct {
	bugs          Bugs
	ttl           time.Duration
	webhookSecret string
	now           func() time.Time
	pages         *template.Template
	appJS         string
	dashboardJS   string

	mu              sync.Mutex
	customers       []*customer // creation order
	orders          []*order    // creation order
	checkouts       map[string]*checkoutSession
	sessions        map[string]session
	processedEvents map[string]bool // Stripe event ids already applied
	failedEvents    map[string]bool // Stripe event ids that failed once (see metadata.fail_once)
	entitlementSeq  int
	lastDashboard   []byte            // the last dashboard page rendered (served only by the expired-fallback bug)
	endedSessions   map[string]string // token -> customer id of sessions logged out or expired
}

// New returns the demo app as an http.Handler, behind its own shared cache layer (see the cache
// file). Every call has its own data, sessions and cache.
func New(opts Options) http.Handler {
	a := newApp(opts)
	return newSharedCache(a.routes(), a.now)
}

func newApp(opts Options) *app {
	a := &app{
		bugs:            opts.Bugs,
		ttl:             opts.SessionTTL,
		webhookSecret:   opts.WebhookSecret,
		now:             opts.Now,
		pages:           parsePages(),
		customers:       seedCustomers(),
		orders:          seedOrders(),
		checkouts:       seedCheckouts(),
		sessions:        make(map[string]session),
		endedSessions:   make(map[string]string),
		processedEvents: make(map[string]bool),
		failedEvents:    make(map[string]bool),
	}
	if a.bugs == nil {
		a.bugs = Bugs{}
	}
	if a.ttl <= 0 {
		a.ttl = DefaultSessionTTL
	}
	if a.webhookSecret == "" {
		a.webhookSecret = DefaultWebhookSecret
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.appJS = appBundle(a.bugs)
	a.dashboardJS = dashboardBundle(a.bugs)
	// A session of alice's that expired an hour ago, so a test can present an expired token.
	a.sessions[ExpiredSessionToken] = session{customerID: "usr_alice", expires: a.now().Add(-time.Hour)}
	return a
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.handleLanding)
	mux.HandleFunc("GET /pricing", a.handlePricing)
	mux.HandleFunc("GET /login", a.handleLoginPage)
	mux.HandleFunc("POST /login", a.handleLoginForm)
	mux.HandleFunc("POST /logout", a.handleLogoutForm)
	mux.HandleFunc("GET /dashboard", a.handleDashboard)
	mux.HandleFunc("GET /account", a.handleAccount)
	mux.HandleFunc("GET /checkout/success", a.handleCheckoutSuccess)
	mux.HandleFunc("GET /static/app.js", a.handleAppJS)
	mux.HandleFunc("GET /static/dashboard.js", a.handleDashboardJS)
	mux.HandleFunc("GET /healthz", handleHealth)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		// Browsers ask for it on every page; an empty answer keeps 404s out of network captures.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})

	mux.HandleFunc("POST /api/login", a.handleAPILogin)
	mux.HandleFunc("POST /api/logout", a.handleAPILogout)
	mux.HandleFunc("GET /api/me", a.handleMe)
	mux.HandleFunc("GET /api/orders", a.handleOrders)
	mux.HandleFunc("GET /api/orders/{id}", a.handleOrder)
	mux.HandleFunc("GET /api/customer", a.handleCustomer)
	mux.HandleFunc("GET /api/customers", a.handleCustomers)
	mux.HandleFunc("POST /api/checkout", a.handleCheckout)
	mux.HandleFunc("GET /api/entitlements", a.handleEntitlements)
	mux.HandleFunc("POST /api/stripe/webhook", a.handleWebhook)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody("not found"))
	})
	return mux
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}

// writeJSON writes v as a JSON response that no cache may store.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

// Server is a demo app serving on a loopback address.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:PORT".
	URL string

	srv       *http.Server
	done      chan struct{}
	serveErr  error
	closeOnce sync.Once
	closeErr  error
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves New(opts) in a goroutine until
// Close. A host that is not loopback (including an empty host, which means every interface) is
// refused: the demo holds fake credentials and must not be reachable from elsewhere.
func Start(addr string, opts Options) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("demo address %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("demo address %q: host %q is not loopback (use 127.0.0.1)", addr, host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for demo: %w", err)
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: New(opts), ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	return s, nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Close shuts the server down, waiting up to 5 seconds for requests in flight, and returns once the
// serve goroutine has ended. Later calls return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
			s.closeErr = fmt.Errorf("shut down demo: %w", err)
		}
		<-s.done
		if s.closeErr == nil && s.serveErr != nil {
			s.closeErr = fmt.Errorf("serve demo: %w", s.serveErr)
		}
	})
	return s.closeErr
}
