package steps

import (
	"context"
	"fmt"
	"regexp"
	"sync"

	"github.com/cucumber/godog"

	"regress/config"
)

// Def is one step definition: its pattern (an anchored regular expression), a one-line
// description and an example for the catalog, and the handler godog calls.
type Def struct {
	Pattern     string
	Description string
	Example     string
	Group       string
	// Args names what each capture group refers to, so `regress check` can verify it offline:
	// ArgSession (an account or anonymous), ArgAccount, ArgRoute, ArgFixture, or "" for anything else.
	Args []string
	// DocString and Table say whether the step takes a doc string or a data table under it.
	DocString, Table bool
	Handler          any
}

// Kinds of step arguments that name something in the config.
const (
	ArgSession = "session"
	ArgAccount = "account"
	ArgRoute   = "route"
	ArgFixture = "fixture" // a file path relative to the feature file
)

// Catalog lists every step definition, grouped by concern, in the order `regress steps` prints
// them. It is the single place steps are registered: godog and the catalog both read it.
func Catalog() []Def {
	var defs []Def
	defs = append(defs, sessionSteps()...)
	defs = append(defs, expirySteps()...)
	defs = append(defs, tokenExpirySteps()...)
	defs = append(defs, requestSteps()...)
	defs = append(defs, responseSteps()...)
	defs = append(defs, webhookSteps()...)
	defs = append(defs, cacheSteps()...)
	defs = append(defs, bundleSteps()...)
	defs = append(defs, browserSteps()...)
	return defs
}

// Register wires the catalog and the per-scenario world into one godog scenario. Call it from
// godog's ScenarioInitializer (never from the suite initializer: that races under concurrency).
func Register(sc *godog.ScenarioContext, run *Run) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		w := newWorld(run)
		w.featureFile = p.Uri
		ctx = context.WithValue(ctx, worldKey{}, w)
		for _, req := range tagRequirements {
			if reason := req.unmet(run.Target); reason != "" && hasTag(p, req.tag) {
				// Refused before any request: the scenario is reported as skipped, with the reason.
				w.SkipReason = fmt.Sprintf("%s scenario skipped: target %q %s; nothing was sent", req.tag, run.Target.Name, reason)
				return ctx, fmt.Errorf("%w: %s", godog.ErrSkip, w.SkipReason)
			}
		}

		if d := run.Target.Timeouts.Scenario; d > 0 {
			// Bounded time per scenario; cancelled in After below.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeoutCause(ctx, d, fmt.Errorf("the scenario ran out of its timeouts.scenario (%s)", d))
			w.cancel = cancel
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
		if w := worldFrom(ctx); w != nil {
			w.closeBrowserContexts()
			if w.cancel != nil {
				w.cancel()
			}
		}
		// A non-nil error here would count as a hook failure on top of the step's own.
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, _ *godog.Step, status godog.StepResultStatus, _ error) (context.Context, error) {
		if w := worldFrom(ctx); w != nil && status == godog.StepFailed && !w.failureAttached {
			w.failureAttached = true
			w.attachFailure(ctx)
		}
		return ctx, nil
	})
	for _, d := range Catalog() {
		sc.Step(d.Pattern, d.Handler)
	}
}

// MutatingTag marks scenarios that change the target's state (webhooks, checkouts): they run only
// on targets whose config allows mutations.
const MutatingTag = "@mutating"

// tagRequirements are the parts of a target's config that scenarios with a tag need. On a target
// without them those scenarios are skipped — reported, with the reason — before any request.
var tagRequirements = []struct {
	tag   string
	unmet func(*config.Target) string
}{
	{MutatingTag, func(t *config.Target) string {
		if !t.AllowMutations {
			return "is read-only (set allow_mutations: true in its config to run it)"
		}
		return ""
	}},
	{"@webhook", func(t *config.Target) string {
		if t.Webhook.Path == "" {
			return "has no webhook endpoint (set webhook.path and webhook.secret in its config)"
		}
		return ""
	}},
	{"@expired-token", func(t *config.Target) string {
		if t.Session.ExpiredToken == "" {
			return "has no pre-expired token (set session.expired_token in its config)"
		}
		return ""
	}},
	{"@jwt-expiry", func(t *config.Target) string {
		if t.Session.JWTSecret == "" {
			return "has no JWT signing secret (set session.jwt_secret in its config, staging only)"
		}
		return ""
	}},
	{"@preview", func(t *config.Target) string {
		p := t.Production
		if len(p.Canaries) == 0 && len(p.Hosts) == 0 && len(p.Secrets) == 0 {
			return "declares nothing of production (add production.canaries, hosts and secrets to its config)"
		}
		return ""
	}},
}

func hasTag(p *godog.Scenario, tag string) bool {
	for _, t := range p.Tags {
		if t.Name == tag {
			return true
		}
	}
	return false
}

// The adapters below turn World methods into godog handlers, so each Def names the method that
// implements it.

func h1(f func(*World, context.Context, string) error) any {
	return func(ctx context.Context, a string) error { return f(worldFrom(ctx), ctx, a) }
}

func h2(f func(*World, context.Context, string, string) error) any {
	return func(ctx context.Context, a, b string) error { return f(worldFrom(ctx), ctx, a, b) }
}

func h3(f func(*World, context.Context, string, string, string) error) any {
	return func(ctx context.Context, a, b, c string) error { return f(worldFrom(ctx), ctx, a, b, c) }
}

func h3Doc(f func(*World, context.Context, string, string, string, *godog.DocString) error) any {
	return func(ctx context.Context, a, b, c string, doc *godog.DocString) error {
		return f(worldFrom(ctx), ctx, a, b, c, doc)
	}
}

// Matcher finds the step definition for a step's text, as godog will.
type Matcher struct {
	defs []Def
	res  []*regexp.Regexp
}

// NewMatcher returns the matcher of the catalog's patterns, compiled once per process.
func NewMatcher() *Matcher { return compiledCatalog() }

// compiledCatalog compiles the catalog once; a Matcher is read-only, so it is shared.
var compiledCatalog = sync.OnceValue(func() *Matcher {
	m := &Matcher{defs: Catalog()}
	for _, d := range m.defs {
		m.res = append(m.res, regexp.MustCompile(d.Pattern))
	}
	return m
})

// Match returns the first definition whose pattern matches the text and the captured arguments.
func (m *Matcher) Match(text string) (*Def, []string, bool) {
	for i, re := range m.res {
		if sub := re.FindStringSubmatch(text); sub != nil {
			return &m.defs[i], sub[1:], true
		}
	}
	return nil, nil, false
}
