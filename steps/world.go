// Package steps holds the Gherkin step definitions, the per-scenario world they share and the
// registry (the catalog) that both godog and `regress steps` read.
package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/time/rate"

	"regress/config"
	"regress/reports"
	"regress/steps/browser"
	"regress/steps/leak"
	"regress/steps/session"
)

// Run holds what every scenario of one run shares: the target, the rate limiter and the leak
// detector. Nothing in it changes while scenarios run.
type Run struct {
	Target   *config.Target
	Limiter  *rate.Limiter
	Detector *leak.Detector
	// Browser is the run's one Chromium, started by the first browser step; nil: none allowed.
	Browser *browser.Browser
	// Secret, when set, learns values that must be masked from then on but are only known at
	// run time: the cookies and bearer tokens a login returned.
	Secret func(values ...string)
}

// sessionSecrets hands a logged-in session's cookie values and bearer token to Secret.
func (r *Run) sessionSecrets(s *session.Session) {
	if r.Secret == nil {
		return
	}
	values := []string{s.Bearer()}
	for _, c := range s.Cookies() {
		values = append(values, c.Value)
	}
	r.Secret(values...)
}

// NewRun prepares the shared parts of a run against a resolved target.
func NewRun(t *config.Target, br *browser.Browser) *Run {
	var fps []leak.Fingerprint
	for _, a := range t.Accounts {
		for _, fp := range a.Fingerprints {
			fps = append(fps, leak.Fingerprint{Account: a.Name, Name: fp.Name, Value: fp.Value})
		}
	}
	for _, c := range t.Production.Canaries {
		// Production records belong to no session: seen anywhere, they are a leak.
		fps = append(fps, leak.Fingerprint{Account: config.ProductionOwner, Name: c.Name, Value: c.Value})
	}
	var limiter *rate.Limiter
	if t.RateLimit > 0 {
		burst := int(t.RateLimit)
		if burst < 1 {
			burst = 1
		}
		limiter = rate.NewLimiter(rate.Limit(t.RateLimit), burst)
	}
	return &Run{Target: t, Limiter: limiter, Detector: leak.NewDetector(fps), Browser: br}
}

// World is one scenario's state: its sessions and the last response. Scenarios never share one.
type World struct {
	run      *Run
	sessions map[string]*session.Session
	// last is the response the "the response ..." assertions look at.
	last *session.Response
	// Leaks are every finding of the leak sentinel in this scenario, for the reports.
	Leaks []leak.Finding
	// pending are sentinel findings not yet reported by a step (see takeLeaks).
	pending []leak.Finding
	// SkipReason says why the scenario was skipped without sending anything.
	SkipReason string
	// Transcript is every HTTP exchange of the scenario, for the reports (redacted there).
	Transcript []reports.Exchange
	// Attachments are screenshots, DOM and network lists kept when a browser step fails, and
	// notes of what a check covered.
	Attachments     []reports.Attachment
	failureAttached bool

	// BrowserUnavailable is set when a browser step found no usable browser (exit code 3).
	BrowserUnavailable error

	featureFile string                      // the scenario's feature file, for fixtures next to it
	pages       map[string]*browser.Context // browser contexts by session name
	lastVisit   *browser.Visit
	lastPage    *browser.Context
	netCalls    map[string][]string // every browser request URL of the scenario, by session name
	events      map[string]*stripeEvent
	cancel      context.CancelFunc
}

type worldKey struct{}

func newWorld(run *Run) *World {
	return &World{run: run, sessions: map[string]*session.Session{}, events: map[string]*stripeEvent{}, pages: map[string]*browser.Context{}, netCalls: map[string][]string{}}
}

// worldFrom returns the scenario's world; a step registered outside Register has none.
func worldFrom(ctx context.Context) *World {
	w, _ := ctx.Value(worldKey{}).(*World)
	return w
}

// WorldFrom gives the runner access to a finished scenario's world (its leaks).
func WorldFrom(ctx context.Context) *World { return worldFrom(ctx) }

// session returns the named account's session (or the anonymous one), creating it on first use.
func (w *World) session(name string) (*session.Session, error) {
	if s, ok := w.sessions[name]; ok {
		return s, nil
	}
	var acct *config.Account
	if name != session.Anonymous {
		a, ok := w.run.Target.Account(name)
		if !ok {
			return nil, fmt.Errorf("unknown account %q; accounts of target %q: %s, or %s",
				name, w.run.Target.Name, strings.Join(w.run.Target.AccountNames(), ", "), session.Anonymous)
		}
		acct = a
	}
	s, err := w.newSession(acct)
	if err != nil {
		return nil, err
	}
	w.sessions[name] = s
	return s, nil
}

// StripeSession names the session that delivers webhooks: Stripe is not a customer, so what
// the webhook endpoint answers it is not checked for leaks.
const StripeSession = "stripe"

// newSession makes a session whose exchanges go into the scenario's transcript and through the
// leak sentinel.
func (w *World) newSession(acct *config.Account) (*session.Session, error) {
	s, err := session.New(w.run.Target, acct, w.run.Limiter)
	if err != nil {
		return nil, err
	}
	s.OnExchange = func(method, url string, resp *session.Response, err error) {
		w.Transcript = append(w.Transcript, exchange(s.Name, method, url, resp, err))
		w.sentinel(s, resp)
	}
	return s, nil
}

// transcriptBodyLimit is how much of each body the transcript keeps.
const transcriptBodyLimit = 4 << 10

func exchange(name, method, url string, resp *session.Response, err error) reports.Exchange {
	e := reports.Exchange{Session: name, Method: method, URL: url}
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Status, e.Duration = resp.Status, resp.Duration
	e.RequestHeader, e.ResponseHeader = resp.RequestHeader, resp.Header
	e.RequestBody = cut(resp.RequestBody)
	e.ResponseBody = cut(resp.Body)
	e.BodyCut = resp.Truncated || len(resp.Body) > transcriptBodyLimit
	e.Truncated = resp.Truncated
	return e
}

func cut(b []byte) string {
	if len(b) > transcriptBodyLimit {
		b = b[:transcriptBodyLimit]
	}
	return string(b)
}

// account returns a configured account by name.
func (w *World) account(name string) (*config.Account, error) {
	a, ok := w.run.Target.Account(name)
	if !ok {
		return nil, fmt.Errorf("unknown account %q; accounts of target %q: %s",
			name, w.run.Target.Name, strings.Join(w.run.Target.AccountNames(), ", "))
	}
	return a, nil
}

// route returns a configured route by name.
func (w *World) route(name string) (*config.Route, error) {
	r, ok := w.run.Target.Route(name)
	if !ok {
		names := make([]string, 0, len(w.run.Target.Routes))
		for _, r := range w.run.Target.Routes {
			names = append(names, r.Name)
		}
		return nil, fmt.Errorf("unknown route %q; routes of target %q: %s", name, w.run.Target.Name, strings.Join(names, ", "))
	}
	return r, nil
}

// routeFor resolves a step's session and a route's path. The path's placeholders take the
// values of the account named owner, or the session's own when owner is "" (for the anonymous
// visitor, those of the first account that has them all).
func (w *World) routeFor(who, routeName, owner string) (*session.Session, string, error) {
	s, err := w.session(who)
	if err != nil {
		return nil, "", err
	}
	r, err := w.route(routeName)
	if err != nil {
		return nil, "", err
	}
	values := s.Account
	if owner != "" {
		if values, err = w.account(owner); err != nil {
			return nil, "", err
		}
	}
	path, err := w.expandRoute(r, values)
	if err != nil {
		return nil, "", err
	}
	return s, path, nil
}

// expandRoute fills the route's placeholders from the given account's values, or, for the
// anonymous visitor, from the first account that has them all.
func (w *World) expandRoute(r *config.Route, values *config.Account) (string, error) {
	if values != nil {
		return r.Expand(values)
	}
	var firstErr error
	for i := range w.run.Target.Accounts {
		p, err := r.Expand(&w.run.Target.Accounts[i])
		if err == nil {
			return p, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", firstErr
}

// foreignTo says whose fingerprints a session must never see: every other account's, and for
// an anonymous or invalidated session everyone's.
func foreignTo(s *session.Session) func(string) bool {
	owner := s.Owner()
	return func(account string) bool { return account != owner }
}

// LeakError is the leak sentinel's failure: every finding, with evidence.
type LeakError struct{ Findings []leak.Finding }

func (e *LeakError) Error() string {
	lines := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings {
		lines = append(lines, "leak: "+f.String())
	}
	return strings.Join(lines, "\n")
}

// sentinel runs the leak sentinel over every response a session receives, as it arrives (login
// answers and retried attempts included); the findings wait in pending for takeLeaks.
func (w *World) sentinel(s *session.Session, resp *session.Response) {
	if resp == nil || s.Name == StripeSession {
		return
	}
	w.pending = append(w.pending, w.run.Detector.Scan(s.Name, foreignTo(s), leakContent(resp))...)
}

// takeLeaks records the findings since the last call and returns them as the step's failure.
func (w *World) takeLeaks() error {
	if len(w.pending) == 0 {
		return nil
	}
	findings := w.pending
	w.pending = nil
	w.Leaks = append(w.Leaks, findings...)
	return &LeakError{Findings: findings}
}

// send performs a request as a session and keeps the response for the assertions; a leak in it
// fails the step whether or not a later step asserts anything.
func (w *World) send(ctx context.Context, s *session.Session, method, path string, body []byte, contentType string) error {
	resp, err := s.Do(ctx, method, path, body, contentType)
	if err != nil {
		return errors.Join(err, w.takeLeaks())
	}
	w.last = resp
	return w.takeLeaks()
}

var errNoResponse = errors.New("no response yet: put a request step (e.g. `alice requests the \"profile\" route`) before this assertion")

func (w *World) lastResponse() (*session.Response, error) {
	if w.last == nil {
		return nil, errNoResponse
	}
	return w.last, nil
}

func leakContent(resp *session.Response) leak.Content {
	return leak.Content{URL: resp.Describe(), Header: resp.Header, Body: resp.Body, Sent: resp.Sent}
}
