package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/cucumber/godog"

	"regress/config"
	"regress/steps/session"
)

func requestSteps() []Def {
	return []Def{{
		Pattern:     `^(\w+) requests the "([^"]+)" route$`,
		Description: "GETs a configured route as the account (or anonymous); {placeholders} in its path take the requester's own values.",
		Example:     `When alice requests the "profile" route`,
		Group:       "requests",
		Args:        []string{ArgSession, ArgRoute},
		Handler:     h2((*World).requestsRoute),
	}, {
		Pattern:     `^(\w+) requests the "([^"]+)" route with (\w+)'s values$`,
		Description: "GETs a configured route as the first account with the {placeholders} filled from the second account's fingerprints (an IDOR probe).",
		Example:     `When alice requests the "order" route with bob's values`,
		Group:       "requests",
		Args:        []string{ArgSession, ArgRoute, ArgAccount},
		Handler:     h3((*World).requestsRouteWithValues),
	}, {
		Pattern:     `^(\w+) sends (GET|HEAD|DELETE) "([^"]+)"$`,
		Description: "Sends a request to a path of the target as the account; {account.fingerprint} in the path is replaced by that value.",
		Example:     `When bob sends GET "/api/orders/{alice.order_1}"`,
		Group:       "requests",
		Args:        []string{ArgSession, "", ""},
		Handler:     h3((*World).sends),
	}, {
		Pattern:     `^(\w+) sends (POST|PUT|PATCH|DELETE) "([^"]+)" with JSON:$`,
		Description: "Sends a JSON body (a doc string; {account.fingerprint} placeholders are filled) to a path as the account.",
		Example:     "When alice sends POST \"/api/checkout\" with JSON:\n  \"\"\"\n  {\"plan\": \"pro\"}\n  \"\"\"",
		Group:       "requests",
		Args:        []string{ArgSession, "", ""},
		DocString:   true,
		Handler:     h3Doc((*World).sendsJSON),
	}, {
		Pattern:     `^(\w+) is refused on every protected route$`,
		Description: "Requests every protected route of the target as the session; each must answer 401/403 or redirect to the login page, with no other account's data.",
		Example:     "Then anonymous is refused on every protected route",
		Group:       "requests",
		Args:        []string{ArgSession},
		Handler:     h1((*World).refusedOnEveryProtectedRoute),
	}}
}

// requestsRoute: `^(\w+) requests the "([^"]+)" route$`.
func (w *World) requestsRoute(ctx context.Context, who, routeName string) error {
	return w.requestsRouteWithValues(ctx, who, routeName, "")
}

// requestsRouteWithValues: `^(\w+) requests the "([^"]+)" route with (\w+)'s values$`.
func (w *World) requestsRouteWithValues(ctx context.Context, who, routeName, owner string) error {
	s, path, err := w.routeFor(who, routeName, owner)
	if err != nil {
		return err
	}
	return w.send(ctx, s, http.MethodGet, path, nil, "")
}

// sends: `^(\w+) sends (GET|HEAD|DELETE) "([^"]+)"$`.
func (w *World) sends(ctx context.Context, who, method, path string) error {
	if err := w.mutationAllowed(method, path); err != nil {
		return err
	}
	s, err := w.session(who)
	if err != nil {
		return err
	}
	path, err = w.fillValues(path, true)
	if err != nil {
		return err
	}
	return w.send(ctx, s, method, path, nil, "")
}

// sendsJSON: `^(\w+) sends (POST|PUT|PATCH|DELETE) "([^"]+)" with JSON:$`.
func (w *World) sendsJSON(ctx context.Context, who, method, path string, doc *godog.DocString) error {
	if err := w.mutationAllowed(method, path); err != nil {
		return err
	}
	s, err := w.session(who)
	if err != nil {
		return err
	}
	if path, err = w.fillValues(path, true); err != nil {
		return err
	}
	body, err := w.fillValues(doc.Content, false)
	if err != nil {
		return err
	}
	return w.send(ctx, s, method, path, []byte(body), "application/json")
}

// mutationAllowed refuses, before anything is sent, a request that may change state on a
// read-only target: every method but GET, HEAD and OPTIONS.
func (w *World) mutationAllowed(method, path string) error {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if !w.run.Target.AllowMutations {
		return fmt.Errorf("refusing to send %s %s: target %q is read-only; tag the scenario %s so it is skipped there", method, path, w.run.Target.Name, MutatingTag)
	}
	return nil
}

// fillValues replaces {account.fingerprint} with the account's value (URL-escaped in paths).
func (w *World) fillValues(text string, inPath bool) (string, error) {
	var errs []error
	out := placeholderRef.ReplaceAllStringFunc(text, func(m string) string {
		ref := m[1 : len(m)-1]
		name, fp, _ := strings.Cut(ref, ".")
		a, err := w.account(name)
		if err != nil {
			errs = append(errs, err)
			return m
		}
		v, ok := a.Fingerprint(fp)
		if !ok {
			errs = append(errs, fmt.Errorf("account %q has no fingerprint %q", name, fp))
			return m
		}
		if inPath {
			return url.PathEscape(v)
		}
		return v
	})
	return out, errors.Join(errs...)
}

// refusedOnEveryProtectedRoute: `^(\w+) is refused on every protected route$`.
func (w *World) refusedOnEveryProtectedRoute(ctx context.Context, who string) error {
	s, err := w.session(who)
	if err != nil {
		return err
	}
	var problems []string
	checked, letThrough := 0, 0
	for i := range w.run.Target.Routes {
		r := &w.run.Target.Routes[i]
		if !r.Protected {
			continue
		}
		checked++
		if routeProblems := w.probeProtected(ctx, s, r); len(routeProblems) > 0 {
			letThrough++
			problems = append(problems, routeProblems...)
		}
	}
	if checked == 0 {
		return fmt.Errorf("target %q has no protected routes: add routes with `protected: true` to the config", w.run.Target.Name)
	}
	if letThrough > 0 {
		return fmt.Errorf("%d of %d protected routes let %s through:\n%s", letThrough, checked, who, strings.Join(problems, "\n"))
	}
	return nil
}

// probeProtected requests one protected route as the session and returns what is wrong with the
// answer: not refused, or carrying data the session must not see.
func (w *World) probeProtected(ctx context.Context, s *session.Session, r *config.Route) []string {
	path, err := w.expandRoute(r, s.Account)
	if err != nil {
		return []string{fmt.Sprintf("route %q: %v", r.Name, err)}
	}
	resp, err := s.Do(ctx, http.MethodGet, path, nil, "")
	if err != nil {
		return []string{fmt.Sprintf("route %q: %v", r.Name, errors.Join(err, w.takeLeaks()))}
	}
	w.last = resp
	var problems []string
	if !refused(resp, w.run.Target.LoginPage) {
		problems = append(problems, fmt.Sprintf("route %q: %s answered %d%s; expected 401, 403 or a redirect to %s",
			r.Name, resp.Describe(), resp.Status, locationNote(resp), w.run.Target.LoginPage))
	}
	if err := w.takeLeaks(); err != nil {
		problems = append(problems, fmt.Sprintf("route %q: %v", r.Name, err))
	}
	return problems
}

// refused reports whether a response denies access: 401, 403, or a redirect to the login page.
func refused(resp *session.Response, loginPage string) bool {
	switch {
	case resp.Status == http.StatusUnauthorized, resp.Status == http.StatusForbidden:
		return true
	case resp.Status >= 300 && resp.Status < 400:
		return redirectsTo(resp, loginPage)
	}
	return false
}

// redirectsTo reports whether a 3xx response's Location is the given path (query ignored).
func redirectsTo(resp *session.Response, path string) bool {
	if resp.Status < 300 || resp.Status >= 400 {
		return false
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return false
	}
	if loc.Host != "" {
		base, err := url.Parse(resp.URL)
		if err != nil || base.Host != loc.Host {
			return false
		}
	}
	return strings.TrimSuffix(loc.Path, "/") == strings.TrimSuffix(path, "/")
}

func locationNote(resp *session.Response) string {
	if loc := resp.Header.Get("Location"); loc != "" {
		return " (Location: " + loc + ")"
	}
	return ""
}

// placeholderRef matches {account.fingerprint} in step text.
var placeholderRef = regexp.MustCompile(`\{\w+\.\w+\}`)
