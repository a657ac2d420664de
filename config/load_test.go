package config

import (
	"errors"
	"strings"
	"testing"
)

// lines joins YAML lines, so that a case's line numbers are its indexes plus one.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// env returns a lookup over a fixed map.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// valid is a well-formed target "staging"; cases below are edits of it.
var valid = []string{
	/* 1 */ "targets:",
	/* 2 */ "  staging:",
	/* 3 */ "    base_url: https://staging.example.com/",
	/* 4 */ "    routes:",
	/* 5 */ "      profile:",
	/* 6 */ "        path: /api/me",
	/* 7 */ "    accounts:",
	/* 8 */ "      - name: alice",
	/* 9 */ "        username: alice@example.test",
	/* 10 */ "        password: pw-alice",
	/* 11 */ "        fingerprints:",
	/* 12 */ "          email: alice@example.test",
	/* 13 */ "      - name: bob",
	/* 14 */ "        username: bob@example.test",
	/* 15 */ "        password: pw-bob",
	/* 16 */ "        fingerprints:",
	/* 17 */ "          email: bob@example.test",
}

// edit returns valid with line n (1-based) replaced by repl (none: removed; several: inserted).
func edit(n int, repl ...string) string {
	out := append([]string{}, valid[:n-1]...)
	out = append(out, repl...)
	out = append(out, valid[n:]...)
	return lines(out...)
}

// insert returns valid with extra lines inserted after line n.
func insert(n int, extra ...string) string {
	out := append([]string{}, valid[:n]...)
	out = append(out, extra...)
	out = append(out, valid[n:]...)
	return lines(out...)
}

// want is one expected problem: its line and a fragment of its message.
type want struct {
	line int
	frag string
}

// load parses src as test.yaml and resolves target "staging" (or the only given name).
func load(src, target string, lookup func(string) (string, bool)) (*Target, error) {
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		return nil, err
	}
	return f.Target(target, lookup)
}

func checkErrors(t *testing.T, err error, wants []want) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v", wants)
	}
	list, ok := AsErrors(err)
	if !ok {
		t.Fatalf("error %T %q carries no *Error", err, err)
	}
	for _, w := range wants {
		found := false
		for _, e := range list {
			if e.Line == w.line && strings.Contains(e.Msg, w.frag) {
				found = true
				if e.File != "test.yaml" {
					t.Errorf("file = %q, want test.yaml", e.File)
				}
			}
		}
		if !found {
			t.Errorf("want line %d with %q; got:\n%v", w.line, w.frag, err)
		}
	}
	if len(list) != len(wants) {
		t.Errorf("got %d problems, want %d:\n%v", len(list), len(wants), err)
	}
}

func TestValidBase(t *testing.T) {
	tg, err := load(lines(valid...), "staging", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tg.BaseURL != "https://staging.example.com" {
		t.Errorf("BaseURL = %q", tg.BaseURL)
	}
	if tg.Timeouts.Request != DefaultRequestTimeout || tg.Timeouts.Scenario != DefaultScenarioTimeout {
		t.Errorf("timeouts = %+v", tg.Timeouts)
	}
	if tg.LoginPage != "/login" || tg.MaxBodyBytes != 10<<20 || tg.RateLimit != 0 || tg.AllowMutations || tg.Embedded {
		t.Errorf("defaults wrong: %+v", tg)
	}
	r, ok := tg.Route("profile")
	if !ok || r.Kind != KindAPI || !r.Protected || r.Personalised || r.Line != 5 || r.AllowedFields != nil {
		t.Errorf("route = %+v", r)
	}
	a, ok := tg.Account("bob")
	if !ok || a.Line != 13 || a.Login.Strategy != StrategyJSON || a.Login.Path != "/api/login" ||
		a.Login.UsernameField != "email" || a.Login.PasswordField != "password" {
		t.Errorf("account = %+v", a)
	}
	if got := strings.Join(tg.AccountNames(), ","); got != "alice,bob" {
		t.Errorf("AccountNames = %s", got)
	}
	if tg.Line != 2 || tg.Name != "staging" || tg.File != "test.yaml" {
		t.Errorf("target position = %s %s:%d", tg.Name, tg.File, tg.Line)
	}
}

func TestBadInput(t *testing.T) {
	const fields = "valid fields: accounts, allow_mutations, base_url, browser, bundle, embedded, insecure_tls, login_page, max_body_bytes, production"
	tests := []struct {
		name  string
		src   string
		env   map[string]string
		wants []want
	}{
		// Structure: unknown fields at every depth.
		{"unknown field top level", lines("target:", "  staging: {}"),
			nil, []want{{1, `unknown field "target" at the top level; valid fields: targets`}}},
		{"unknown field in target", edit(3, "    bse_url: https://staging.example.com"),
			nil, []want{{3, `unknown field "bse_url" in target "staging"; ` + fields}}},
		{"unknown field in account", edit(9, "        usrname: alice@example.test"),
			nil, []want{{9, `unknown field "usrname" in account "alice" of target "staging"; valid fields: fingerprints, login, name, password, username`}}},
		{"unknown field in login", insert(10, "        login:", "          stratgy: json"),
			nil, []want{{12, `unknown field "stratgy" in login of account "alice" of target "staging"; valid fields: password_field, path, session_cookie, strategy, submit, token, token_field, username_field`}}},
		{"unknown field in route", edit(6, "        pth: /api/me"),
			nil, []want{{6, `unknown field "pth" in route "profile" of target "staging"; valid fields: allowed_fields, kind, path, personalised, protected`}}},
		{"unknown field in timeouts", insert(3, "    timeouts:", "      requst: 5s"),
			nil, []want{{5, `unknown field "requst" in timeouts of target "staging"; valid fields: request, scenario`}}},

		// Structure: wrong types.
		{"accounts not a list", lines(append(append([]string{}, valid[:6]...), "    accounts: foo")...),
			nil, []want{{7, `accounts in target "staging" must be a list, got "foo"`}}},
		{"rate_limit not a number", insert(3, "    rate_limit: abc"),
			nil, []want{{4, `rate_limit in target "staging" must be a number, got "abc"`}}},
		{"bool not a bool", insert(3, "    allow_mutations: maybe"),
			nil, []want{{4, `allow_mutations in target "staging" must be true or false, got "maybe"`}}},
		{"int not whole", insert(3, "    max_body_bytes: 1.5"),
			nil, []want{{4, `max_body_bytes in target "staging" must be a whole number, got "1.5"`}}},
		{"routes a list", lines("targets:", "  staging:", "    routes: [a]"),
			nil, []want{{3, `routes in target "staging" must be a mapping of route names to values (name: value), got a list`}}},
		{"fingerprints a list", edit(12, "          - alice@example.test"),
			nil, []want{{12, `fingerprints in account "alice" of target "staging" must be a mapping of fingerprint names to values`}}},
		{"login a scalar", insert(10, "        login: json"),
			nil, []want{{11, `login in account "alice" of target "staging" must be a mapping of fields (key: value), got "json"`}}},
		{"password a mapping", edit(10, "        password: {a: b}"),
			nil, []want{{10, `password in account "alice" of target "staging" must be a single value, got a mapping`}}},
		{"allowed_fields item a list", insert(6, "        allowed_fields: [id, [x]]"),
			nil, []want{{7, `allowed_fields item 2 in route "profile" of target "staging" must be a single value, got a list`}}},
		{"target a scalar", lines("targets:", "  staging: yes"),
			nil, []want{{2, `target "staging" must be a mapping of fields (key: value), got "yes"`}}},
		{"top level a list", lines("- targets"),
			nil, []want{{1, `expected a mapping with "targets:" at the top level, got a list`}}},

		// Structure: duplicate keys, of fields and of named entries.
		{"duplicate field", insert(3, "    base_url: https://other.example.com"),
			nil, []want{{4, `duplicate key "base_url" in target "staging" (first defined at line 3)`}}},
		{"duplicate route", insert(6, "      profile:", "        path: /api/me2"),
			nil, []want{{7, `duplicate route "profile" in target "staging" (first defined at line 5)`}}},
		{"duplicate fingerprint", insert(12, "          email: alice2@example.test"),
			nil, []want{{13, `duplicate fingerprint "email" in account "alice" of target "staging" (first defined at line 12)`}}},
		{"duplicate target", lines(append(append([]string{}, valid...), "  staging: {}")...),
			nil, []want{{18, `duplicate target "staging" at the top level (first defined at line 2)`}}},

		// Empty and malformed files.
		{"empty file", "", nil, []want{{0, `the file has no content (it is empty or only comments); expected a "targets:" mapping`}}},
		{"comments only", "# nothing\n   # here\n", nil, []want{{0, `the file has no content`}}},
		{"document marker only", "---\n", nil, []want{{1, `the file has no content`}}},
		{"no targets key", lines("# just a comment", "targets:"), nil, []want{{2, `no targets defined; add a "targets:" mapping`}}},
		{"empty targets", lines("targets: {}"), nil, []want{{1, `no targets defined`}}},
		{"malformed flow", lines("targets:", "  staging: {base_url: [", ""), nil, []want{{3, `invalid YAML: did not find expected node content`}}},
		{"bad indentation", lines("targets:", "  staging:", "    base_url: x", "   embedded: true"), nil, []want{{1, `invalid YAML: did not find expected key (in the block that starts at this line: check the indentation`}}},
		{"tab indentation", "targets:\n\tstaging: {}\n", nil, []want{{2, `invalid YAML: found character that cannot start any token`}}},
		{"two documents", lines("targets: {a: {}}", "---", "targets: {}"), nil, []want{{2, `more than one YAML document ("---"); put every target under the one "targets:" mapping`}}},
		{"unknown anchor", lines("targets:", "  staging: *nope"), nil, []want{{0, `invalid YAML: unknown anchor 'nope' referenced`}}},
		{"alias cycle", lines("targets:", "  staging: &t", "    routes:", "      r:", "        <<: *t"), nil,
			[]want{{2, `merge (<<) in route "r" of target "staging" refers to a mapping that contains it`}}},
		{"bad target name", lines("targets:", "  'stag ing': {}"), nil, []want{{2, `target name "stag ing" is not valid`}}},

		// Interpolation.
		{"missing variables all listed", lines(
			"targets:",
			"  staging:",
			"    base_url: ${STAGING_BASE_URL}",
			"    accounts:",
			"      - name: alice",
			"        username: ${STAGING_ALICE_EMAIL}",
			"        password: ${STAGING_ALICE_PASSWORD}",
			"        fingerprints:",
			"          email: ${STAGING_ALICE_EMAIL}",
			"      - name: bob",
			"        username: bob@example.test",
			"        password: ${STAGING_BOB_PASSWORD:-}x${STAGING_BOB_PEPPER}",
			"        fingerprints:",
			"          email: bob@example.test",
		), nil, []want{
			{3, `environment variable STAGING_BASE_URL is not set (target "staging" base_url)`},
			{6, `environment variable STAGING_ALICE_EMAIL is not set (account "alice" username; also used at line 9)`},
			{7, `environment variable STAGING_ALICE_PASSWORD is not set (account "alice" password)`},
			{12, `environment variable STAGING_BOB_PEPPER is not set (account "bob" password)`},
		}},
		{"unterminated reference", edit(10, "        password: ${ALICE_PASSWORD"),
			nil, []want{{10, `password in account "alice" of target "staging": unterminated "${" at character 1 of the value; close it with "}"`}}},
		{"empty variable name", edit(10, "        password: a${}b"),
			nil, []want{{10, `empty variable name in "${}"`}}},
		{"invalid variable name", edit(10, "        password: ${1PASS}"),
			nil, []want{{10, `invalid variable name "1PASS"`}}},
		{"unsupported operator", edit(10, "        password: ${PASS:?required}"),
			nil, []want{{10, `invalid variable name "PASS:?required"`}}},
		{"interpolated type error", insert(3, "    rate_limit: ${RATE}"),
			map[string]string{"RATE": "fast"}, []want{{4, `rate_limit in target "staging" must be a number, got "fast"`}}},

		{"interpolated default of the wrong type", insert(3, "    max_body_bytes: ${MAX:-lots}"),
			nil, []want{{4, `max_body_bytes in target "staging" must be a whole number, got "lots"`}}},
		{"interpolated bool", insert(3, "    insecure_tls: ${TLS}"),
			map[string]string{"TLS": "maybe"}, []want{{4, `insecure_tls in target "staging" must be true or false, got "maybe"`}}},

		// Validation of the selected target.
		{"one account", lines(valid[:12]...),
			nil, []want{{2, `target "staging" has 1 account; isolation needs at least two — add another account`}}},
		{"no accounts", lines(valid[:6]...),
			nil, []want{{2, `target "staging" has 0 accounts; isolation needs at least two`}}},
		{"unknown strategy", insert(10, "        login:", "          strategy: oauth"),
			nil, []want{{12, `unknown login strategy "oauth" for account "alice" of target "staging"; valid strategies: browser, form, json, token`}}},
		{"token strategy without token", insert(10, "        login: {strategy: token}"),
			nil, []want{{11, `account "alice" of target "staging" uses login strategy token but has no login.token`}}},
		{"json strategy without password", edit(10),
			nil, []want{{8, `account "alice" of target "staging" has no password; login strategy json needs username and password`}}},
		{"bad duration", insert(3, "    timeouts:", "      request: 10", "      scenario: 0s"),
			nil, []want{
				{5, `timeouts.request of target "staging" is "10", not a duration; write a Go duration such as 10s`},
				{6, `timeouts.scenario of target "staging" is "0s"; it must be more than 0`},
			}},
		{"bad URL scheme", edit(3, "    base_url: ftp://staging.example.com"),
			nil, []want{{3, `base_url of target "staging": "ftp://staging.example.com" is not an absolute http or https URL`}}},
		{"URL without scheme", edit(3, "    base_url: staging.example.com"),
			nil, []want{{3, `is not an absolute http or https URL`}}},
		{"URL with credentials", edit(3, "    base_url: https://u:secret@staging.example.com"),
			nil, []want{{3, `"https://u:xxxxx@staging.example.com" carries credentials`}}},
		{"URL with query", edit(3, "    base_url: https://staging.example.com/?a=b"),
			nil, []want{{3, `has a query or fragment`}}},
		{"no base_url", edit(3),
			nil, []want{{2, `target "staging" has no base_url; set it to the deployment's URL`}}},
		{"placeholder names no fingerprint", edit(6, "        path: /api/orders/{order_9}"),
			nil, []want{{6, `path of route "profile" of target "staging" uses {order_9}, but no account has a fingerprint named "order_9"; fingerprints: email`}}},
		{"unclosed placeholder", edit(6, "        path: /api/orders/{email"),
			nil, []want{{6, `path of route "profile" of target "staging": unclosed "{"`}}},
		{"empty placeholder", edit(6, "        path: /api/orders/{}"),
			nil, []want{{6, `empty placeholder "{}"`}}},
		{"path without slash", edit(6, "        path: api/me"),
			nil, []want{{6, `path of route "profile" of target "staging" is "api/me"; it must be a path starting with "/"`}}},
		{"path to another host", edit(6, "        path: //evil.example/api"),
			nil, []want{{6, `names another host`}}},
		{"unknown route kind", insert(6, "        kind: json"),
			nil, []want{{7, `unknown kind "json" for route "profile" of target "staging"; valid kinds: api, page`}}},
		{"short fingerprint", insert(12, "          plan: pro"),
			nil, []want{{13, `fingerprint "plan" of account "alice" of target "staging" is "pro", shorter than 4 characters`}}},
		{"empty fingerprint", insert(12, "          plan: ''"),
			nil, []want{{13, `fingerprint "plan" of account "alice" of target "staging" is empty`}}},
		{"no fingerprints", lines(valid[:15]...),
			nil, []want{{13, `account "bob" of target "staging" has no fingerprints`}}},
		{"shared fingerprint", edit(17, "          email: ALICE@example.test"),
			nil, []want{{17, `fingerprint "email" of account "bob" of target "staging" has the same value as fingerprint "email" of account "alice"`}}},
		{"invalid account name", edit(8, "      - name: Alice"),
			nil, []want{{8, `account name "Alice" of target "staging" is not valid`}}},
		{"duplicate account name", edit(13, "      - name: alice"),
			nil, []want{{13, `duplicate account name "alice" in target "staging" (first at line 8)`}}},
		{"login_page without slash", insert(3, "    login_page: login"),
			nil, []want{{4, `login_page of target "staging" is "login"; it must be a path starting with "/"`}}},
		{"negative rate limit", insert(3, "    rate_limit: -1"),
			nil, []want{{4, `rate_limit of target "staging" is -1; it must be 0 (unlimited) or more`}}},
		{"zero max body", insert(3, "    max_body_bytes: 0"),
			nil, []want{{4, `max_body_bytes of target "staging" is 0; it must be more than 0`}}},
		{"several problems at once", lines(
			"targets:",
			"  staging:",
			"    base_url: nope",
			"    rate_limit: -2",
			"    accounts:",
			"      - name: alice",
			"        username: a@example.test",
			"        password: pw",
			"        login: {strategy: magic}",
			"        fingerprints: {email: a@x}",
		), nil, []want{
			{2, `has 1 account`},
			{3, `is not an absolute http or https URL`},
			{4, `rate_limit of target "staging" is -2`},
			{9, `unknown login strategy "magic"`},
			{10, `shorter than 4 characters`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.src, "staging", env(tt.env))
			checkErrors(t, err, tt.wants)
			if err != nil && !strings.HasPrefix(err.Error(), "test.yaml:") {
				t.Errorf("error does not start with the file: %q", err)
			}
		})
	}
}

func TestUnknownTarget(t *testing.T) {
	src := lines(append(append([]string{}, valid...),
		"  demo: {embedded: true}", "  production: {}", "  preview: {}")...)
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Target("stagin", nil)
	want := `test.yaml: unknown target "stagin"; valid targets: demo, preview, production, staging`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if got := strings.Join(f.TargetNames(), ","); got != "staging,demo,production,preview" {
		t.Errorf("TargetNames = %s", got)
	}
	if f.MissingVars("stagin", nil) != nil {
		t.Error("MissingVars of an unknown target is not nil")
	}
}

// Running one target must not need another target's variables.
func TestOnlySelectedTargetInterpolated(t *testing.T) {
	src := lines(
		"targets:",
		"  demo:",
		"    base_url: http://127.0.0.1:8080",
		"    accounts:",
		"      - {name: alice, username: alice@example.test, password: a-pass, fingerprints: {email: alice@example.test}}",
		"      - {name: bob, username: bob@example.test, password: b-pass, fingerprints: {email: bob@example.test}}",
		"  staging:",
		"    base_url: ${STAGING_BASE_URL}",
		"    rate_limit: ${STAGING_RATE}",
		"    accounts: []",
	)
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Target("demo", env(nil)); err != nil {
		t.Fatalf("demo: %v", err)
	}
	_, err = f.Target("staging", env(map[string]string{"STAGING_RATE": "3"}))
	checkErrors(t, err, []want{
		{7, `target "staging" has 0 accounts`},
		{8, `environment variable STAGING_BASE_URL is not set`},
	})
	// A problem on a line whose variable is missing is a consequence: only the variable is reported.
	missing := f.MissingVars("staging", env(nil))
	if len(missing) != 2 || missing[0].Line != 8 || missing[1].Line != 9 ||
		missing[1].Msg != `environment variable STAGING_RATE is not set (target "staging" rate_limit)` {
		t.Errorf("MissingVars = %v", missing)
	}
	if f.MissingVars("demo", env(nil)) != nil {
		t.Error("demo needs no variables")
	}
}

func TestInterpolatedValues(t *testing.T) {
	src := lines(
		"targets:",
		"  staging:",
		"    base_url: ${SCHEME:-https}://${HOST}/",
		"    allow_mutations: ${MUTATE:-false}",
		`    rate_limit: "${RATE}"`,
		"    max_body_bytes: ${MAX:-1_000}",
		"    timeouts: {request: '${REQ:-3s}'}",
		"    accounts:",
		"      - name: alice",
		"        username: alice@example.test",
		`        password: "p: w #not-a-comment $$HOME"`,
		"        login: {strategy: token, token: '${TOKEN}'}",
		"        fingerprints:",
		"          email: alice@example.test",
		"          ${NOT_EXPANDED}: value-of-key",
		"      - name: bob",
		"        username: bob@example.test",
		"        password: ${BOB_PASSWORD}",
		"        fingerprints:",
		"          email: bob@example.test",
	)
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := f.Target("staging", env(map[string]string{
		"HOST": "staging.example.com", "MUTATE": "true", "RATE": "2.5",
		"TOKEN": "tok: #1", "BOB_PASSWORD": "b: #${NOT}$$",
	}))
	// Keys are never interpolated: "${NOT_EXPANDED}" stays a (badly named) fingerprint.
	checkErrors(t, err, []want{{15, `fingerprint name "${NOT_EXPANDED}" of account "alice" of target "staging" is not valid`}})

	src = strings.Replace(src, "          ${NOT_EXPANDED}: value-of-key\n", "", 1)
	f, err = Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tg, err = f.Target("staging", env(map[string]string{
		"HOST": "staging.example.com", "MUTATE": "true", "RATE": "2.5",
		"TOKEN": "tok: #1", "BOB_PASSWORD": "b: #${NOT}$$",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if tg.BaseURL != "https://staging.example.com" || !tg.AllowMutations || tg.RateLimit != 2.5 ||
		tg.MaxBodyBytes != 1000 || tg.Timeouts.Request.String() != "3s" {
		t.Errorf("target = %+v", tg)
	}
	alice, _ := tg.Account("alice")
	bob, _ := tg.Account("bob")
	if alice.Password != "p: w #not-a-comment $HOME" || alice.Login.Token != "tok: #1" {
		t.Errorf("alice = %q %q", alice.Password, alice.Login.Token)
	}
	// A variable's value is used as it is: it is not interpolated again.
	if bob.Password != "b: #${NOT}$$" {
		t.Errorf("bob password = %q", bob.Password)
	}
	got := tg.Secrets()
	if strings.Join(got, "|") != "p: w #not-a-comment $HOME|tok: #1|b: #${NOT}$$" {
		t.Errorf("Secrets = %q", got)
	}
}

func TestAliasesAndMerge(t *testing.T) {
	src := lines(
		"defaults: &defaults",
		"  base_url: https://a.example.com",
		"targets:",
		"  one:",
		"    <<: *defaults",
		"    routes: &routes",
		"      me: {path: /api/me}",
		"    accounts: &accounts",
		"      - {name: alice, username: alice@example.test, password: a-pass, fingerprints: {email: alice@example.test}}",
		"      - {name: bob, username: bob@example.test, password: b-pass, fingerprints: {email: bob@example.test}}",
		"  two:",
		"    <<: *defaults",
		"    base_url: https://b.example.com",
		"    routes: *routes",
		"    accounts: *accounts",
	)
	_, err := Parse("test.yaml", []byte(src))
	checkErrors(t, err, []want{{1, `unknown field "defaults" at the top level`}})

	src = strings.Replace(src, "defaults: &defaults\n  base_url: https://a.example.com\ntargets:\n",
		"targets:\n  base: &defaults\n    base_url: https://a.example.com\n    accounts: []\n", 1)
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	one, err := f.Target("one", nil)
	if err != nil {
		t.Fatal(err)
	}
	two, err := f.Target("two", nil)
	if err != nil {
		t.Fatal(err)
	}
	if one.BaseURL != "https://a.example.com" || two.BaseURL != "https://b.example.com" {
		t.Errorf("base urls %q %q", one.BaseURL, two.BaseURL)
	}
	if len(two.Routes) != 1 || len(two.Accounts) != 2 {
		t.Errorf("two = %+v", two)
	}
}

func TestErrorsAs(t *testing.T) {
	_, err := load(insert(3, "    rate_limit: -1", "    login_page: x"), "staging", nil)
	var list Errors
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("errors.As Errors: %v", err)
	}
	var first *Error
	if !errors.As(err, &first) || first.Line != 4 {
		t.Fatalf("errors.As *Error: %v", first)
	}
	if want := "test.yaml:4: rate_limit of target \"staging\" is -1; it must be 0 (unlimited) or more requests per second\n" +
		"test.yaml:5: login_page of target \"staging\" is \"x\"; it must be a path starting with \"/\", such as /login"; err.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", err, want)
	}
	_, err = load(insert(3, "    rate_limit: -1"), "staging", nil)
	if _, ok := err.(*Error); !ok {
		t.Errorf("one problem is %T, want *Error", err)
	}
	if got := (&Error{File: "f.yaml", Msg: "m"}).Error(); got != "f.yaml: m" {
		t.Errorf("Error without line = %q", got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("does-not-exist.yaml")
	if err == nil || !strings.Contains(err.Error(), "cannot read config") || !strings.Contains(err.Error(), "does-not-exist.yaml") {
		t.Errorf("err = %v", err)
	}
}
