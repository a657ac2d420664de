package steps

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"regress/config"
	"regress/reports"
	"regress/steps/browser"
	"regress/steps/leak"
	"regress/steps/session"
)

func browserSteps() []Def {
	return []Def{{
		Pattern:     `^(\w+) opens the "([^"]+)" page$`,
		Description: "Opens a configured route in the account's own browser context (anonymous: a context without cookies); every network response the page receives and the rendered DOM go through the leak sentinel.",
		Example:     `When alice opens the "dashboard" page`,
		Group:       "browser",
		Args:        []string{ArgSession, ArgRoute},
		Handler:     h2((*World).opensPage),
	}, {
		Pattern:     `^(\w+) opens the "([^"]+)" page with (\w+)'s values$`,
		Description: "Opens a configured route in the browser as the first account with the {placeholders} filled from the second account's fingerprints.",
		Example:     `When bob opens the "checkout_success" page with alice's values`,
		Group:       "browser",
		Args:        []string{ArgSession, ArgRoute, ArgAccount},
		Handler:     h3((*World).opensPageWithValues),
	}, {
		Pattern:     `^(\w+) reloads the page$`,
		Description: "Reloads the account's current page, with the same capture and leak checks.",
		Example:     "When alice reloads the page",
		Group:       "browser",
		Args:        []string{ArgSession},
		Handler:     h1((*World).reloadsPage),
	}, {
		Pattern:     `^(\w+) logs in through the browser$`,
		Description: "Fills the login form (the account's login.username_field and password_field inputs), submits it with login.submit and waits; the browser's cookies are then mirrored into the account's HTTP session.",
		Example:     "Given alice logs in through the browser",
		Group:       "browser",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).logsInThroughBrowser),
	}, {
		Pattern:     `^(\w+)'s session cookie is deleted in the browser$`,
		Description: "Deletes only the account's session cookie (login.session_cookie) from its browser context; other cookies stay. The session then owns no data.",
		Example:     "When alice's session cookie is deleted in the browser",
		Group:       "browser",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).sessionCookieDeleted),
	}, {
		Pattern:     `^(\w+)'s browser gets server errors from the "([^"]+)" route$`,
		Description: "From now on the account's browser answers requests to the route's path with an injected 500 (the backend failing during a page load); the server never sees them.",
		Example:     `Given alice's browser gets server errors from the "orders" route`,
		Group:       "browser",
		Args:        []string{ArgSession, ArgRoute},
		Handler:     h2((*World).browserGetsServerErrors),
	}, {
		Pattern:     `^the page is the login page$`,
		Description: "After redirects, the last opened page is the target's login page.",
		Example:     "Then the page is the login page",
		Group:       "browser",
		Handler:     h0((*World).pageIsLogin),
	}, {
		Pattern:     `^the page is not the login page$`,
		Description: "After redirects, the last opened page is not the target's login page.",
		Example:     "Then the page is not the login page",
		Group:       "browser",
		Handler:     h0((*World).pageIsNotLogin),
	}, {
		Pattern:     `^the page shows "([^"]+)"$`,
		Description: "The rendered text of the last opened page contains the text.",
		Example:     `Then the page shows "No orders yet"`,
		Group:       "browser",
		Handler:     h1((*World).pageShows),
	}, {
		Pattern:     `^the page does not show "([^"]+)"$`,
		Description: "The rendered text of the last opened page does not contain the text.",
		Example:     `Then the page does not show "Internal Server Error"`,
		Group:       "browser",
		Handler:     h1((*World).pageDoesNotShow),
	}, {
		Pattern:     `^the page shows (\w+)'s "([^"]+)"$`,
		Description: "The rendered text of the last opened page contains the account's fingerprint.",
		Example:     `Then the page shows alice's "name"`,
		Group:       "browser",
		Args:        []string{ArgAccount, ""},
		Handler:     h2((*World).pageShowsFingerprint),
	}, {
		Pattern:     `^the page shows no error details$`,
		Description: "The rendered text of the last opened page has no stack trace, exception dump or server error page (Node/Go/Python/Java traces, \"Internal Server Error\", SQL errors).",
		Example:     "Then the page shows no error details",
		Group:       "browser",
		Handler:     h0((*World).pageShowsNoErrorDetails),
	}, {
		Pattern:     `^the page has an element "([^"]+)"$`,
		Description: "The last opened page has an element matching the CSS selector.",
		Example:     `Then the page has an element "#orders"`,
		Group:       "browser",
		Handler:     h1((*World).pageHasElement),
	}, {
		Pattern:     `^the page shows none of (\w+)'s fingerprints$`,
		Description: "Neither the rendered DOM nor any network response of the last opened page contains the account's fingerprints (also for the account itself, e.g. after its session ended).",
		Example:     "Then the page shows none of alice's fingerprints",
		Group:       "browser",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).pageShowsNoneOf),
	}}
}

// BrowserUnavailableError marks a scenario that could not run because no browser could be used;
// the runner turns it into exit code 3.
type BrowserUnavailableError struct{ Err error }

func (e *BrowserUnavailableError) Error() string { return e.Err.Error() }
func (e *BrowserUnavailableError) Unwrap() error { return e.Err }

// browserFor returns the session's browser context, creating it on first use with the HTTP
// session's cookies mirrored into it.
func (w *World) browserFor(ctx context.Context, s *session.Session) (*browser.Context, error) {
	if c, ok := w.pages[s.Name]; ok {
		return c, nil
	}
	if w.run.Browser == nil {
		return nil, &BrowserUnavailableError{Err: errors.New("this run has no browser")}
	}
	if s.Account != nil && s.Bearer() != "" && len(s.Cookies()) == 0 {
		return nil, fmt.Errorf("account %q holds a bearer token and no cookie: a browser page cannot carry it, so the page would be seen logged out; give the account a cookie login (json/form/browser) for browser steps", s.Account.Name)
	}
	c, err := w.run.Browser.NewContext(ctx)
	if err != nil {
		var ue *browser.UnavailableError
		// A browser that did not even start within the scenario's time is unreachable too.
		if errors.As(err, &ue) || !w.run.Browser.Started() {
			err = &BrowserUnavailableError{Err: err}
			w.BrowserUnavailable = err
		}
		return nil, err
	}
	w.pages[s.Name] = c
	if cookies := s.Cookies(); len(cookies) > 0 {
		if err := c.SetCookies(ctx, cookies, w.run.Target.BaseURL+"/"); err != nil {
			return nil, fmt.Errorf("mirroring %s's cookies into the browser: %w", s.Name, err)
		}
	}
	return c, nil
}

// closeBrowserContexts disposes the scenario's browser contexts.
func (w *World) closeBrowserContexts() {
	for _, c := range w.pages {
		c.Close()
	}
}

// opensPage: `^(\w+) opens the "([^"]+)" page$`.
func (w *World) opensPage(ctx context.Context, who, routeName string) error {
	return w.opensPageWithValues(ctx, who, routeName, "")
}

// opensPageWithValues: `^(\w+) opens the "([^"]+)" page with (\w+)'s values$`.
func (w *World) opensPageWithValues(ctx context.Context, who, routeName, owner string) error {
	s, path, err := w.routeFor(who, routeName, owner)
	if err != nil {
		return err
	}
	c, err := w.browserFor(ctx, s)
	if err != nil {
		return err
	}
	v, err := c.Visit(ctx, w.run.Target.BaseURL+path)
	return w.afterVisit(s, c, v, err)
}

// afterVisit keeps the visit for the assertions and runs the leak sentinel over it.
func (w *World) afterVisit(s *session.Session, c *browser.Context, v *browser.Visit, err error) error {
	if err != nil {
		return err
	}
	w.lastVisit, w.lastPage = v, c
	w.netCalls[s.Name] = append(w.netCalls[s.Name], v.Requests...)
	findings := scanVisit(w.run.Detector, s.Name, foreignTo(s), v)
	var unread []string
	for _, r := range v.Responses {
		if r.Unread {
			unread = append(unread, fmt.Sprintf("could not read network %s %s (%s) to check it for leaks: %s", r.Method, r.URL, r.Type, r.BodyErr))
		}
	}
	if len(findings) == 0 && len(unread) == 0 {
		return nil
	}
	w.Leaks = append(w.Leaks, findings...)
	// Fail closed: a response the sentinel could not read is not a response it vouches for.
	return errors.Join(leakErr(findings), joinProblems(unread))
}

func leakErr(findings []leak.Finding) error {
	if len(findings) == 0 {
		return nil
	}
	return &LeakError{Findings: findings}
}

// scanVisit checks every network response of a visit and its rendered DOM.
func scanVisit(d *leak.Detector, viewer string, foreign func(string) bool, v *browser.Visit) []leak.Finding {
	var out []leak.Finding
	for _, r := range v.Responses {
		// Only what the step asked for counts as sent by the viewer: a subresource URL is the
		// page's choice, so a value in it that comes back is a leak.
		out = append(out, d.Scan(viewer, foreign, leak.Content{
			URL: fmt.Sprintf("network %s %s (%s)", r.Method, r.URL, r.Type), Header: r.Header, Body: r.Body, Sent: v.RequestedURL,
		})...)
	}
	out = append(out, d.Scan(viewer, foreign, leak.Content{
		URL: "the rendered page " + v.FinalURL, Body: []byte(v.DOM), Sent: v.RequestedURL,
	})...)
	return dedupe(out)
}

// dedupe keeps the first finding of each account's fingerprint in each place.
func dedupe(fs []leak.Finding) []leak.Finding {
	seen := map[string]bool{}
	var out []leak.Finding
	for _, f := range fs {
		key := f.Account + "\x00" + f.Fingerprint + "\x00" + f.URL
		if !seen[key] {
			seen[key] = true
			out = append(out, f)
		}
	}
	return out
}

// reloadsPage: `^(\w+) reloads the page$`.
func (w *World) reloadsPage(ctx context.Context, who string) error {
	s, err := w.session(who)
	if err != nil {
		return err
	}
	c, ok := w.pages[s.Name]
	if !ok {
		return fmt.Errorf("%s has no page open to reload; open one first", who)
	}
	v, err := c.Reload(ctx)
	return w.afterVisit(s, c, v, err)
}

// logsInThroughBrowser: `^(\w+) logs in through the browser$`.
func (w *World) logsInThroughBrowser(ctx context.Context, name string) error {
	a, err := w.account(name)
	if err != nil {
		return err
	}
	s, err := w.session(name)
	if err != nil {
		return err
	}
	c, err := w.browserFor(ctx, s)
	if err != nil {
		return err
	}
	loginPath := w.run.Target.LoginPage
	if a.Login.Strategy == config.StrategyBrowser && a.Login.Path != "" {
		loginPath = a.Login.Path
	}
	submit := a.Login.Submit
	if submit == "" {
		submit = config.DefaultSubmit
	}
	v, err := c.Login(ctx, w.run.Target.BaseURL+loginPath,
		fmt.Sprintf("input[name=%q]", a.Login.UsernameField), fmt.Sprintf("input[name=%q]", a.Login.PasswordField),
		submit, a.Username, a.Password)
	if err := w.afterVisit(s, c, v, err); err != nil {
		return fmt.Errorf("logging %s in through the browser: %w", name, err)
	}
	if samePath(v.FinalURL, loginPath) {
		return fmt.Errorf("logging %s in through the browser: still on the login page %s; check the credentials and login.submit", name, v.FinalURL)
	}
	cookies, err := c.Cookies(ctx, w.run.Target.BaseURL+"/")
	if err != nil {
		return fmt.Errorf("reading %s's browser cookies: %w", name, err)
	}
	s.SetCookies(cookies)
	w.run.sessionSecrets(s)
	return nil
}

// browserGetsServerErrors: `^(\w+)'s browser gets server errors from the "([^"]+)" route$`.
func (w *World) browserGetsServerErrors(ctx context.Context, who, routeName string) error {
	s, path, err := w.routeFor(who, routeName, "")
	if err != nil {
		return err
	}
	c, err := w.browserFor(ctx, s)
	if err != nil {
		return err
	}
	// Fetch patterns treat "*" and "?" as wildcards and "\\" as their escape.
	escaped := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(w.run.Target.BaseURL + path)
	return c.FailRequests(escaped + "*")
}

// sessionCookieDeleted: `^(\w+)'s session cookie is deleted in the browser$`.
func (w *World) sessionCookieDeleted(ctx context.Context, name string) error {
	a, err := w.account(name)
	if err != nil {
		return err
	}
	if a.Login.SessionCookie == "" {
		return fmt.Errorf("account %q has no login.session_cookie in the config: name the cookie that holds its session", name)
	}
	s, err := w.session(name)
	if err != nil {
		return err
	}
	c, ok := w.pages[s.Name]
	if !ok {
		return fmt.Errorf("%s has no browser context yet; log in through the browser or open a page first", name)
	}
	if err := c.DeleteCookie(ctx, a.Login.SessionCookie, w.run.Target.BaseURL+"/"); err != nil {
		return err
	}
	s.Invalidate()
	return nil
}

func (w *World) visited() (*browser.Visit, error) {
	if w.lastVisit == nil {
		return nil, errors.New("no page opened yet: put a step such as `alice opens the \"dashboard\" page` before this one")
	}
	return w.lastVisit, nil
}

// samePath reports whether a URL's path is the given path (query and trailing slash ignored).
func samePath(rawURL, path string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	return strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(path, "/")
}

// pageIsLogin: `^the page is the login page$`.
func (w *World) pageIsLogin(context.Context) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	if !samePath(v.FinalURL, w.run.Target.LoginPage) {
		return fmt.Errorf("opening %s ended on %s (status %d), not on the login page %s", v.RequestedURL, v.FinalURL, v.Status, w.run.Target.LoginPage)
	}
	return nil
}

// pageIsNotLogin: `^the page is not the login page$`.
func (w *World) pageIsNotLogin(context.Context) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	if samePath(v.FinalURL, w.run.Target.LoginPage) {
		return fmt.Errorf("opening %s ended on the login page %s", v.RequestedURL, v.FinalURL)
	}
	return nil
}

// pageShows: `^the page shows "([^"]+)"$`.
func (w *World) pageShows(_ context.Context, text string) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	if !strings.Contains(v.Text, text) {
		return fmt.Errorf("%s does not show %q", v.FinalURL, text)
	}
	return nil
}

// pageDoesNotShow: `^the page does not show "([^"]+)"$`.
func (w *World) pageDoesNotShow(_ context.Context, text string) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	if strings.Contains(v.Text, text) {
		return fmt.Errorf("%s shows %q", v.FinalURL, text)
	}
	return nil
}

// pageShowsFingerprint: `^the page shows (\w+)'s "([^"]+)"$`.
func (w *World) pageShowsFingerprint(_ context.Context, owner, fpName string) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	a, err := w.account(owner)
	if err != nil {
		return err
	}
	value, ok := a.Fingerprint(fpName)
	if !ok {
		return fmt.Errorf("account %q has no fingerprint %q", owner, fpName)
	}
	if !strings.Contains(v.Text, value) {
		return fmt.Errorf("%s does not show %s's %s", v.FinalURL, owner, fpName)
	}
	return nil
}

// errorDetails are signs of a stack trace or a raw server error in rendered text.
var errorDetails = []*regexp.Regexp{
	regexp.MustCompile(`\bat [\w$.<>\[\] ]+ \(?[^()\s]+:\d+:\d+\)?`), // JavaScript stack frame
	regexp.MustCompile(`Traceback \(most recent call last\)`),
	regexp.MustCompile(`goroutine \d+ \[`),
	regexp.MustCompile(`(?i)\bexception in thread\b|\bat [\w.$]+\([\w]+\.java:\d+\)`),
	regexp.MustCompile(`(?i)internal server error|unhandled (runtime )?error|application error: a (client|server)-side exception`),
	regexp.MustCompile(`(?i)\bSQLSTATE\b|syntax error at or near|\bPrismaClient\w*Error\b|\bECONNREFUSED\b`),
	regexp.MustCompile(`/node_modules/|webpack-internal:///`),
}

// pageShowsNoErrorDetails: `^the page shows no error details$`.
func (w *World) pageShowsNoErrorDetails(context.Context) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	for _, re := range errorDetails {
		if m := re.FindString(v.Text); m != "" {
			return fmt.Errorf("%s shows error details: %q", v.FinalURL, w.shown(m))
		}
	}
	return nil
}

// pageHasElement: `^the page has an element "([^"]+)"$`.
func (w *World) pageHasElement(ctx context.Context, css string) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	ok, err := w.lastPage.ElementExists(ctx, css)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s has no element matching %q", v.FinalURL, css)
	}
	return nil
}

// pageShowsNoneOf: `^the page shows none of (\w+)'s fingerprints$`.
func (w *World) pageShowsNoneOf(_ context.Context, owner string) error {
	v, err := w.visited()
	if err != nil {
		return err
	}
	if _, err := w.account(owner); err != nil {
		return err
	}
	findings := scanVisit(w.run.Detector, "the page", func(a string) bool { return a == owner }, v)
	if len(findings) > 0 {
		return &LeakError{Findings: findings}
	}
	return nil
}

// attachFailure keeps what a failing browser step saw: a screenshot, the DOM and the network calls.
func (w *World) attachFailure(ctx context.Context) {
	if w.lastPage == nil || w.lastVisit == nil {
		return
	}
	if png, err := w.lastPage.Screenshot(ctx); err == nil {
		w.Attachments = append(w.Attachments, reports.Attachment{Name: "screenshot", MediaType: "image/png", Data: png})
	}
	w.Attachments = append(w.Attachments, reports.Attachment{Name: "DOM of " + w.lastVisit.FinalURL, MediaType: "text/html", Data: []byte(w.lastVisit.DOM)})
	var calls strings.Builder
	for _, r := range w.lastVisit.Responses {
		fmt.Fprintf(&calls, "%d %s %s (%s)\n", r.Status, r.Method, r.URL, r.Type)
	}
	w.Attachments = append(w.Attachments, reports.Attachment{Name: "network calls", MediaType: "text/plain", Data: []byte(calls.String())})
}
