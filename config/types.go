package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Target is one resolved target: interpolated, validated, defaults applied.
type Target struct {
	Name           string
	File           string // config path, for messages
	Line           int    // line of the target's key
	Embedded       bool   // the in-process demo app serves this target; BaseURL may be empty
	BaseURL        string // absolute http(s) URL without a trailing slash
	AllowMutations bool   // false (the default) means read-only
	InsecureTLS    bool   // accept self-signed certificates
	Timeouts       Timeouts
	RateLimit      float64 // requests per second across the run; 0 means unlimited
	LoginPage      string  // path of the login page, default /login
	MaxBodyBytes   int64   // largest response body read, default 10 MiB
	Routes         []Route // in file order
	Accounts       []Account
	Webhook        Webhook
	Session        Session
	Browser        Browser
	Bundle         Bundle
	Production     Production
}

// Production is what belongs to production and must never show up in this target (a preview
// or staging deployment): Canaries are identifiers of production records, Hosts the production
// backends' host names (subdomains included), Secrets production secret values.
type Production struct {
	Canaries []Fingerprint
	Hosts    []string
	Secrets  []string
}

// Webhook is where and how the target receives Stripe webhooks. An empty Path means the target
// has no webhook endpoint to test.
type Webhook struct {
	Path                string // e.g. /api/stripe/webhook
	Secret              string // the endpoint's signing secret (whsec_...)
	CustomerFingerprint string // the fingerprint holding an account's Stripe customer id; default customer_id
}

// Session says how to obtain an invalid session black-box. LogoutPath (with LogoutMethod, default
// POST) revokes a session server-side; ExpiredToken is a pre-expired session token to present;
// JWTSecret is an HS256 signing secret to mint a token with a past expiry (staging only).
type Session struct {
	LogoutPath, LogoutMethod, ExpiredToken, JWTSecret string
}

// Browser configures the one Chromium of a run. CDPURL is a remote browser's DevTools websocket
// URL (empty: a local Chromium, or $REGRESS_CDP_URL); ActionTimeout bounds every browser action
// (default 15s).
type Browser struct {
	CDPURL        string
	ActionTimeout time.Duration
}

// Bundle bounds the crawl of public pages and client assets: EntryPages (default "/"), MaxPages
// (default 20) and MaxBytes (default 50 MiB).
type Bundle struct {
	EntryPages []string
	MaxPages   int
	MaxBytes   int64
}

// Timeouts bound one request (default 10s) and one scenario (default 60s).
type Timeouts struct {
	Request, Scenario time.Duration
}

// Route is a named path of the target.
type Route struct {
	Name          string
	Path          string   // starts with "/"; may hold {placeholders} naming fingerprints
	Kind          string   // "api" (default) or "page"
	Protected     bool     // needs a session; default true
	Personalised  bool     // the response is per customer; default false
	AllowedFields []string // fields an API response may carry; nil when not configured
	Line          int
}

// Account is one customer identity of the target.
type Account struct {
	Name, Username, Password string
	Login                    Login
	Fingerprints             []Fingerprint // values that belong to this account alone, in file order
	Line                     int
}

// Login says how an account logs in. Strategy is json (the default), form, token or browser.
// Path defaults to /api/login for json and /login for form and browser; UsernameField to "email";
// PasswordField to "password"; Submit (browser) to "button[type=submit]". TokenField names the JSON field
// of the login response holding a bearer token (empty: the session is a cookie); Token is the pre-issued
// bearer token of the token strategy.
type Login struct {
	Strategy, Path, UsernameField, PasswordField, TokenField, SessionCookie, Token, Submit string
}

// Fingerprint is a named value that belongs to one account alone.
type Fingerprint struct {
	Name, Value string
	Line        int
}

// Login strategies.
const (
	StrategyJSON    = "json"
	StrategyForm    = "form"
	StrategyToken   = "token"
	StrategyBrowser = "browser"
)

// Route kinds.
const (
	KindAPI  = "api"
	KindPage = "page"
)

// Account returns the account with the given name.
func (t *Target) Account(name string) (*Account, bool) {
	for i := range t.Accounts {
		if t.Accounts[i].Name == name {
			return &t.Accounts[i], true
		}
	}
	return nil, false
}

// Route returns the route with the given name.
func (t *Target) Route(name string) (*Route, bool) {
	for i := range t.Routes {
		if t.Routes[i].Name == name {
			return &t.Routes[i], true
		}
	}
	return nil, false
}

// AccountNames returns the account names in file order.
func (t *Target) AccountNames() []string {
	names := make([]string, 0, len(t.Accounts))
	for _, a := range t.Accounts {
		names = append(names, a.Name)
	}
	return names
}

// RouteNames returns the route names in file order.
func (t *Target) RouteNames() []string {
	names := make([]string, 0, len(t.Routes))
	for _, r := range t.Routes {
		names = append(names, r.Name)
	}
	return names
}

// Fingerprint returns the value of the account's fingerprint with the given name.
func (a *Account) Fingerprint(name string) (string, bool) {
	for _, f := range a.Fingerprints {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Secrets returns every secret value of the target (account passwords and login tokens), non-empty and
// without duplicates, in file order, for redaction. Usernames and fingerprints are not secrets.
func (t *Target) Secrets() []string {
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, a := range t.Accounts {
		add(a.Password)
		add(a.Login.Token)
	}
	add(t.Webhook.Secret)
	add(t.Session.ExpiredToken)
	add(t.Session.JWTSecret)
	for _, s := range t.Production.Secrets {
		add(s)
	}
	return out
}

// Placeholders returns the names of the {placeholders} in a route path, in order. Malformed braces
// (unclosed or empty) are skipped; validation reports them.
func Placeholders(path string) []string {
	var names []string
	for _, p := range scanPlaceholders(path) {
		if p.err == "" {
			names = append(names, p.name)
		}
	}
	return names
}

// Expand fills a route path's {placeholders} from the account's fingerprints, escaped for where they
// stand (path segment or query). The error names a placeholder the account has no fingerprint for.
func (r *Route) Expand(a *Account) (string, error) {
	var b strings.Builder
	last := 0
	for _, p := range scanPlaceholders(r.Path) {
		if p.err != "" {
			return "", fmt.Errorf("route %q: path %q: %s", r.Name, r.Path, p.err)
		}
		v, ok := a.Fingerprint(p.name)
		if !ok {
			return "", fmt.Errorf("route %q needs fingerprint %q for {%s}, and account %q has none; add it under the account's fingerprints or use another account",
				r.Name, p.name, p.name, a.Name)
		}
		b.WriteString(r.Path[last:p.start])
		if p.inQuery {
			b.WriteString(url.QueryEscape(v))
		} else {
			b.WriteString(url.PathEscape(v))
		}
		last = p.end
	}
	b.WriteString(r.Path[last:])
	return b.String(), nil
}

// placeholder is one {name} in a route path: byte offsets of the braces, and a problem if malformed.
type placeholder struct {
	name       string
	start, end int // path[start:end] is "{name}"
	inQuery    bool
	err        string
}

func scanPlaceholders(path string) []placeholder {
	var out []placeholder
	query := strings.IndexByte(path, '?')
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '}':
			out = append(out, placeholder{start: i, end: i + 1, err: `"}" without a matching "{"`})
		case '{':
			j := strings.IndexAny(path[i+1:], "{}")
			if j < 0 || path[i+1+j] == '{' {
				out = append(out, placeholder{start: i, end: i + 1, err: `unclosed "{"; write {fingerprint_name}`})
				continue
			}
			name := path[i+1 : i+1+j]
			p := placeholder{name: name, start: i, end: i + j + 2, inQuery: query >= 0 && i > query}
			if name == "" {
				p.err = `empty placeholder "{}"; write {fingerprint_name}`
			} else if !validName(name) {
				p.err = fmt.Sprintf(`placeholder {%s} is not a fingerprint name (lowercase letters, digits and "_", starting with a letter)`, name)
			}
			out = append(out, p)
			i = p.end - 1
		}
	}
	return out
}

// validName reports whether s is a valid account, route or fingerprint name: ^[a-z][a-z0-9_]*$.
func validName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
