package config

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// minFingerprintLen is the shortest fingerprint value accepted: a shorter one would match almost any page.
const minFingerprintLen = 4

// validStrategies lists the login strategies, sorted, for messages.
var validStrategies = []string{StrategyBrowser, StrategyForm, StrategyJSON, StrategyToken}

// validate checks one decoded target, applies defaults and returns it resolved. Problems go to c; the
// returned target is meaningful only when c has none.
func validate(c *collector, file string, ft fileTarget, doc *targetDoc) *Target {
	tq := fmt.Sprintf("target %q", ft.name)
	p := doc.Pos
	p.Line = ft.line // problems of the target as a whole point at its name
	t := &Target{
		Name:           ft.name,
		File:           file,
		Line:           ft.line,
		Embedded:       doc.Embedded,
		AllowMutations: doc.AllowMutations,
		InsecureTLS:    doc.InsecureTLS,
		RateLimit:      doc.RateLimit,
		LoginPage:      DefaultLoginPage,
		MaxBodyBytes:   DefaultMaxBodyBytes,
	}

	switch {
	case doc.BaseURL != "":
		u, err := NormalizeBaseURL(doc.BaseURL)
		if err != nil {
			c.add(p.line("base_url"), "base_url of %s: %v", tq, err)
		}
		t.BaseURL = u
	case !doc.Embedded:
		c.add(p.line("base_url"), "%s has no base_url; set it to the deployment's URL (e.g. https://staging.example.com), or set embedded: true for the demo app", tq)
	}

	tp := doc.Timeouts.Pos
	t.Timeouts.Request = duration(c, doc.Timeouts.Request, DefaultRequestTimeout, "timeouts.request", tq, tp.line("request"))
	t.Timeouts.Scenario = duration(c, doc.Timeouts.Scenario, DefaultScenarioTimeout, "timeouts.scenario", tq, tp.line("scenario"))

	if doc.RateLimit < 0 {
		c.add(p.line("rate_limit"), "rate_limit of %s is %v; it must be 0 (unlimited) or more requests per second", tq, doc.RateLimit)
	}
	if doc.LoginPage != nil {
		t.LoginPage = *doc.LoginPage
		checkPath(c, t.LoginPage, "login_page of "+tq, p.line("login_page"))
	}
	if doc.MaxBodyBytes != nil {
		t.MaxBodyBytes = *doc.MaxBodyBytes
		if t.MaxBodyBytes <= 0 {
			c.add(p.line("max_body_bytes"), "max_body_bytes of %s is %d; it must be more than 0 (default %d, 10 MiB)", tq, t.MaxBodyBytes, DefaultMaxBodyBytes)
		}
	}

	t.Accounts = validateAccounts(c, tq, ft.line, doc.Accounts)
	t.Routes = validateRoutes(c, tq, doc.Routes, t.Accounts)
	t.Webhook = validateWebhook(c, tq, &doc.Webhook)
	t.Session = validateSession(c, tq, &doc.Session)
	t.Browser = validateBrowser(c, tq, &doc.Browser)
	t.Bundle = validateBundle(c, tq, &doc.Bundle)
	t.Production = validateProduction(c, tq, &doc.Production)
	return t
}

// ProductionOwner is the owner the leak sentinel gives production canaries: never a session's.
const ProductionOwner = "production"

var reservedNames = map[string]string{
	ProductionOwner: "it names the production canaries",
	"anonymous":     "it names the session without an account",
}

func validateProduction(c *collector, tq string, doc *productionDoc) Production {
	p := Production{Hosts: doc.Hosts, Secrets: doc.Secrets}
	for _, e := range doc.Canaries {
		value := strings.TrimSpace(e.Value)
		if utf8.RuneCountInString(value) < minFingerprintLen {
			c.add(e.Line, "production canary %q of %s is %q, shorter than %d characters: it would match almost anywhere", e.Key, tq, value, minFingerprintLen)
			continue
		}
		p.Canaries = append(p.Canaries, Fingerprint{Name: e.Key, Value: value, Line: e.Line})
	}
	for _, h := range doc.Hosts {
		if h == "" || strings.ContainsAny(h, "/: ") {
			c.add(doc.Pos.line("hosts"), "production host %q of %s must be a bare host name such as api.example.com (no scheme, port or path)", h, tq)
		}
	}
	return p
}

// Defaults of the optional sections.
const (
	DefaultCustomerFingerprint = "customer_id"
	DefaultLogoutMethod        = "POST"
	DefaultActionTimeout       = 15 * time.Second
	DefaultBundleMaxPages      = 20
	DefaultBundleMaxBytes      = int64(50 << 20)
)

func validateWebhook(c *collector, tq string, doc *webhookDoc) Webhook {
	w := Webhook{Path: doc.Path, Secret: doc.Secret, CustomerFingerprint: doc.CustomerFingerprint}
	if w.CustomerFingerprint == "" {
		w.CustomerFingerprint = DefaultCustomerFingerprint
	}
	if w.Path == "" {
		return w
	}
	checkPath(c, w.Path, "webhook.path of "+tq, doc.Pos.line("path"))
	if w.Secret == "" {
		c.add(doc.Pos.line("secret"), "webhook of %s has a path but no secret; set secret to the endpoint's signing secret (whsec_...), e.g. ${STRIPE_WEBHOOK_SECRET}", tq)
	}
	return w
}

func validateSession(c *collector, tq string, doc *sessionDoc) Session {
	s := Session{LogoutPath: doc.LogoutPath, LogoutMethod: strings.ToUpper(doc.LogoutMethod), ExpiredToken: doc.ExpiredToken, JWTSecret: doc.JWTSecret}
	if s.LogoutMethod == "" {
		s.LogoutMethod = DefaultLogoutMethod
	}
	if s.LogoutPath != "" {
		checkPath(c, s.LogoutPath, "session.logout_path of "+tq, doc.Pos.line("logout_path"))
	}
	switch s.LogoutMethod {
	case "GET", "POST", "DELETE":
	default:
		c.add(doc.Pos.line("logout_method"), "session.logout_method of %s is %q; use GET, POST or DELETE", tq, doc.LogoutMethod)
	}
	return s
}

func validateBrowser(c *collector, tq string, doc *browserDoc) Browser {
	b := Browser{CDPURL: doc.CDPURL}
	b.ActionTimeout = duration(c, doc.ActionTimeout, DefaultActionTimeout, "browser.action_timeout", tq, doc.Pos.line("action_timeout"))
	if b.CDPURL != "" && !strings.HasPrefix(b.CDPURL, "ws://") && !strings.HasPrefix(b.CDPURL, "wss://") {
		c.add(doc.Pos.line("cdp_url"), "browser.cdp_url of %s is not a ws:// or wss:// DevTools URL", tq)
	}
	return b
}

func validateBundle(c *collector, tq string, doc *bundleDoc) Bundle {
	b := Bundle{EntryPages: doc.EntryPages, MaxPages: DefaultBundleMaxPages, MaxBytes: DefaultBundleMaxBytes}
	if len(b.EntryPages) == 0 {
		b.EntryPages = []string{"/"}
	}
	for _, p := range b.EntryPages {
		checkPath(c, p, "bundle.entry_pages of "+tq, doc.Pos.line("entry_pages"))
	}
	if doc.MaxPages != nil {
		b.MaxPages = int(*doc.MaxPages)
		if b.MaxPages < 1 {
			c.add(doc.Pos.line("max_pages"), "bundle.max_pages of %s must be at least 1", tq)
		}
	}
	if doc.MaxBytes != nil {
		b.MaxBytes = *doc.MaxBytes
		if b.MaxBytes < 1 {
			c.add(doc.Pos.line("max_bytes"), "bundle.max_bytes of %s must be at least 1", tq)
		}
	}
	return b
}

// NormalizeBaseURL checks that s is an absolute http or https URL with a host and no credentials,
// query or fragment, and returns it without trailing slashes.
func NormalizeBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		return "", fmt.Errorf("%s is not a valid URL; write an absolute URL such as https://staging.example.com", quoteShort(s))
	}
	if u.User != nil {
		return "", fmt.Errorf("%s carries credentials; remove them: accounts log in by themselves", quoteShort(u.Redacted()))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%s is not an absolute http or https URL; write it like https://staging.example.com", quoteShort(s))
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%s has no host; write it like https://staging.example.com", quoteShort(s))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%s has a query or fragment; give only scheme, host and an optional path prefix", quoteShort(s))
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// duration parses an optional Go duration; absent means def.
func duration(c *collector, s *string, def time.Duration, field, tq string, line int) time.Duration {
	if s == nil {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(*s))
	switch {
	case err != nil:
		c.add(line, "%s of %s is %s, not a duration; write a Go duration such as 10s, 1m30s or 500ms (default %s)", field, tq, quoteShort(*s), def)
		return def
	case d <= 0:
		c.add(line, "%s of %s is %s; it must be more than 0 (default %s)", field, tq, quoteShort(*s), def)
		return def
	}
	return d
}

// checkPath reports a path that does not start with "/" or that starts with "//" (another host).
func checkPath(c *collector, path, what string, line int) {
	switch {
	case !strings.HasPrefix(path, "/"):
		c.add(line, "%s is %s; it must be a path starting with \"/\", such as /login", what, quoteShort(path))
	case strings.HasPrefix(path, "//"):
		c.add(line, "%s is %s; a path starting with \"//\" names another host: write a path on the target, such as /login", what, quoteShort(path))
	}
}

func validateAccounts(c *collector, tq string, targetLine int, docs []accountDoc) []Account {
	if n := len(docs); n < 2 {
		noun := "accounts"
		if n == 1 {
			noun = "account"
		}
		what := "add another account"
		if n == 0 {
			what = `add two under "accounts:"`
		}
		c.add(targetLine, "%s has %d %s; isolation needs at least two — %s", tq, n, noun, what)
	}
	accounts := make([]Account, 0, len(docs))
	names := map[string]int{}
	owners := map[string]fingerprintOwner{} // folded fingerprint value -> first account holding it
	for i, doc := range docs {
		p := doc.Pos
		a := Account{Name: doc.Name, Username: doc.Username, Password: doc.Password, Line: p.Line}
		aq := fmt.Sprintf("account %q of %s", doc.Name, tq)
		switch {
		case doc.Name == "":
			aq = fmt.Sprintf("account #%d of %s", i+1, tq)
			c.add(p.Line, "%s has no name; add name: with lowercase letters, digits and \"_\" (e.g. alice)", aq)
		case !validName(doc.Name):
			c.add(p.line("name"), "account name %q of %s is not valid; use lowercase letters, digits and \"_\", starting with a letter", doc.Name, tq)
		case doc.Name == ProductionOwner || doc.Name == "anonymous":
			c.add(p.line("name"), "account name %q of %s is reserved (%s); choose another name", doc.Name, tq, reservedNames[doc.Name])
		default:
			if first, dup := names[doc.Name]; dup {
				c.add(p.line("name"), "duplicate account name %q in %s (first at line %d); account names must be unique", doc.Name, tq, first)
			} else {
				names[doc.Name] = p.line("name")
			}
		}
		a.Login = validateLogin(c, aq, &doc)
		a.Fingerprints = validateFingerprints(c, aq, &doc, owners)
		accounts = append(accounts, a)
	}
	return accounts
}

func validateLogin(c *collector, aq string, doc *accountDoc) Login {
	ld, p := doc.Login, doc.Login.Pos
	if p.Line == 0 {
		p.Line = doc.Pos.line("login")
	}
	l := Login{
		Strategy:      ld.Strategy,
		Path:          ld.Path,
		UsernameField: cmp.Or(ld.UsernameField, DefaultUsernameField),
		PasswordField: cmp.Or(ld.PasswordField, DefaultPasswordField),
		TokenField:    ld.TokenField,
		SessionCookie: ld.SessionCookie,
		Token:         ld.Token,
		Submit:        ld.Submit,
	}
	if l.Strategy == "" {
		l.Strategy = StrategyJSON
	}
	switch l.Strategy {
	case StrategyToken:
		if l.Token == "" {
			c.add(p.line("token"), "%s uses login strategy token but has no login.token; set token: to its pre-issued bearer token, e.g. ${ALICE_TOKEN}", aq)
		}
	case StrategyJSON, StrategyForm, StrategyBrowser:
		if doc.Username == "" {
			c.add(doc.Pos.line("username"), "%s has no username; login strategy %s needs username and password", aq, l.Strategy)
		}
		if doc.Password == "" {
			c.add(doc.Pos.line("password"), "%s has no password; login strategy %s needs username and password (e.g. password: ${ALICE_PASSWORD})", aq, l.Strategy)
		}
		if l.Path == "" {
			l.Path = DefaultFormLoginPath
			if l.Strategy == StrategyJSON {
				l.Path = DefaultJSONLoginPath
			}
		}
		checkPath(c, l.Path, "login.path of "+aq, p.line("path"))
		if l.Strategy == StrategyBrowser && l.Submit == "" {
			l.Submit = DefaultSubmit
		}
	default:
		c.add(p.line("strategy"), "unknown login strategy %q for %s; valid strategies: %s", l.Strategy, aq, strings.Join(validStrategies, ", "))
	}
	return l
}

type fingerprintOwner struct {
	account, name string
}

func validateFingerprints(c *collector, aq string, doc *accountDoc, owners map[string]fingerprintOwner) []Fingerprint {
	if len(doc.Fingerprints) == 0 {
		c.add(doc.Pos.line("fingerprints"), "%s has no fingerprints; add at least one value that belongs to this account alone (email, customer id, order id)", aq)
	}
	out := make([]Fingerprint, 0, len(doc.Fingerprints))
	for _, e := range doc.Fingerprints {
		// Stored trimmed: a value from the environment with a stray newline would never match.
		f := Fingerprint{Name: e.Key, Value: strings.TrimSpace(e.Value), Line: e.Line}
		out = append(out, f)
		if !validName(f.Name) {
			c.add(f.Line, "fingerprint name %q of %s is not valid; use lowercase letters, digits and \"_\", starting with a letter", f.Name, aq)
		}
		value := strings.TrimSpace(f.Value)
		switch n := utf8.RuneCountInString(value); {
		case n == 0:
			c.add(f.Line, "fingerprint %q of %s is empty; give the value that belongs to this account alone", f.Name, aq)
			continue
		case n < minFingerprintLen:
			c.add(f.Line, "fingerprint %q of %s is %q, shorter than %d characters: it would match almost anywhere; use a longer value that belongs to this account alone", f.Name, aq, value, minFingerprintLen)
			continue
		}
		key := strings.ToLower(value)
		if o, ok := owners[key]; ok && o.account != doc.Name {
			c.add(f.Line, "fingerprint %q of %s has the same value as fingerprint %q of account %q; a fingerprint must belong to one account alone", f.Name, aq, o.name, o.account)
		} else if !ok {
			owners[key] = fingerprintOwner{account: doc.Name, name: f.Name}
		}
	}
	return out
}

func validateRoutes(c *collector, tq string, docs ordered[routeDoc], accounts []Account) []Route {
	routes := make([]Route, 0, len(docs))
	for _, e := range docs {
		doc := e.Value
		p := doc.Pos
		if p.Line == 0 {
			p.Line = e.Line
		}
		rq := fmt.Sprintf("route %q of %s", e.Key, tq)
		r := Route{
			Name:          e.Key,
			Path:          doc.Path,
			Kind:          cmp.Or(doc.Kind, KindAPI),
			Protected:     doc.Protected == nil || *doc.Protected,
			Personalised:  doc.Personalised,
			AllowedFields: doc.AllowedFields,
			Line:          e.Line,
		}
		if !validName(r.Name) {
			c.add(e.Line, "route name %q of %s is not valid; use lowercase letters, digits and \"_\", starting with a letter", r.Name, tq)
		}
		if doc.Path == "" {
			c.add(p.line("path"), "%s has no path; add path: such as /api/me", rq)
		} else {
			checkPath(c, r.Path, "path of "+rq, p.line("path"))
			checkPlaceholders(c, rq, r.Path, p.line("path"), accounts)
		}
		if r.Kind != KindAPI && r.Kind != KindPage {
			c.add(p.line("kind"), "unknown kind %q for %s; valid kinds: %s, %s", r.Kind, rq, KindAPI, KindPage)
		}
		for i, f := range r.AllowedFields {
			if strings.TrimSpace(f) == "" {
				c.add(p.line("allowed_fields"), "allowed_fields item %d of %s is empty; list field names", i+1, rq)
			}
		}
		routes = append(routes, r)
	}
	return routes
}

// checkPlaceholders reports malformed {placeholders} and ones that no account has a fingerprint for.
// Which account a step uses is known only at run time, where Route.Expand reports an account that lacks one.
func checkPlaceholders(c *collector, rq, path string, line int, accounts []Account) {
	var known []string
	for _, a := range accounts {
		for _, f := range a.Fingerprints {
			if !slices.Contains(known, f.Name) {
				known = append(known, f.Name)
			}
		}
	}
	slices.Sort(known)
	for _, ph := range scanPlaceholders(path) {
		if ph.err != "" {
			c.add(line, "path of %s: %s", rq, ph.err)
			continue
		}
		if !slices.Contains(known, ph.name) {
			c.add(line, "path of %s uses {%s}, but no account has a fingerprint named %q; fingerprints: %s", rq, ph.name, ph.name, cmp.Or(strings.Join(known, ", "), "none"))
		}
	}
}
