package steps

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"regress/steps/session"
)

func cacheSteps() []Def {
	return []Def{{
		Pattern:     `^the response is not cacheable by a shared cache$`,
		Description: "The last response's Cache-Control has private or no-store (or its Vary names Cookie or Authorization), and never public or s-maxage.",
		Example:     "Then the response is not cacheable by a shared cache",
		Group:       "caching",
		Handler:     h0((*World).notSharedCacheable),
	}, {
		Pattern:     `^the response was not served from a shared cache$`,
		Description: "The last response carries no sign of a shared-cache hit: Age > 0, X-Cache: HIT, CF-Cache-Status: HIT or X-Vercel-Cache: HIT.",
		Example:     "Then the response was not served from a shared cache",
		Group:       "caching",
		Handler:     h0((*World).notFromSharedCache),
	}, {
		Pattern:     `^every personalised route is private for (\w+)$`,
		Description: "Requests each route marked personalised in the config as the account; each answer is not cacheable by a shared cache and was not served from one.",
		Example:     "Then every personalised route is private for alice",
		Group:       "caching",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).everyPersonalisedRoutePrivate),
	}}
}

// notSharedCacheable: `^the response is not cacheable by a shared cache$`.
func (w *World) notSharedCacheable(context.Context) error {
	resp, err := w.lastResponse()
	if err != nil {
		return err
	}
	return sharedCacheable(resp)
}

// sharedCacheable explains why a shared cache (a CDN) could store the response, or returns nil.
func sharedCacheable(resp *session.Response) error {
	cc := strings.ToLower(strings.Join(resp.Header.Values("Cache-Control"), ", "))
	vary := strings.ToLower(strings.Join(resp.Header.Values("Vary"), ", "))
	directives := map[string]bool{}
	for _, d := range strings.Split(cc, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(d), "=")
		directives[name] = true
	}
	switch {
	case directives["public"] || directives["s-maxage"]:
		return fmt.Errorf("%s is personalised but a shared cache may store it: Cache-Control %q; send private or no-store", resp.Describe(), cc)
	case directives["private"] || directives["no-store"]:
		return nil
	case strings.Contains(vary, "cookie") || strings.Contains(vary, "authorization") || vary == "*":
		return nil
	}
	if cc == "" {
		return fmt.Errorf("%s is personalised but has no Cache-Control; send private or no-store", resp.Describe())
	}
	return fmt.Errorf("%s is personalised but Cache-Control %q has neither private nor no-store, and Vary %q names neither Cookie nor Authorization", resp.Describe(), cc, vary)
}

// notFromSharedCache: `^the response was not served from a shared cache$`.
func (w *World) notFromSharedCache(context.Context) error {
	resp, err := w.lastResponse()
	if err != nil {
		return err
	}
	return sharedCacheHit(resp)
}

// sharedCacheHit explains the sign of a shared-cache hit on the response, or returns nil.
func sharedCacheHit(resp *session.Response) error {
	if age, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Age"))); err == nil && age > 0 {
		return fmt.Errorf("%s came from a shared cache: Age %d", resp.Describe(), age)
	}
	for _, h := range []string{"X-Cache", "CF-Cache-Status", "X-Vercel-Cache"} {
		if v := resp.Header.Get(h); strings.Contains(strings.ToUpper(v), "HIT") {
			return fmt.Errorf("%s came from a shared cache: %s: %s", resp.Describe(), h, v)
		}
	}
	return nil
}

// everyPersonalisedRoutePrivate: `^every personalised route is private for (\w+)$`.
func (w *World) everyPersonalisedRoutePrivate(ctx context.Context, who string) error {
	s, err := w.session(who)
	if err != nil {
		return err
	}
	var problems []string
	checked := 0
	for i := range w.run.Target.Routes {
		r := &w.run.Target.Routes[i]
		if !r.Personalised {
			continue
		}
		checked++
		path, err := w.expandRoute(r, s.Account)
		if err != nil {
			problems = append(problems, fmt.Sprintf("route %q: %v", r.Name, err))
			continue
		}
		if err := w.send(ctx, s, http.MethodGet, path, nil, ""); err != nil {
			problems = append(problems, fmt.Sprintf("route %q: %v", r.Name, err))
			continue
		}
		if w.last.Status < 200 || w.last.Status > 299 {
			// A refusal proves nothing about how the personalised page is cached.
			problems = append(problems, fmt.Sprintf("route %q: %s answered %d%s; expected the personalised page (is %s logged in?)", r.Name, w.last.Describe(), w.last.Status, locationNote(w.last), who))
			continue
		}
		for _, check := range []func(*session.Response) error{sharedCacheable, sharedCacheHit} {
			if err := check(w.last); err != nil {
				problems = append(problems, fmt.Sprintf("route %q: %v", r.Name, err))
			}
		}
	}
	if checked == 0 {
		return fmt.Errorf("target %q has no personalised routes: mark per-customer routes with `personalised: true` in the config", w.run.Target.Name)
	}
	if len(problems) > 0 {
		return fmt.Errorf("personalised routes that a shared cache could serve to someone else:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}
