package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"regress/redact"
)

func responseSteps() []Def {
	return []Def{{
		Pattern:     `^the response status is (\d{3})$`,
		Description: "The last response has exactly this status.",
		Example:     "Then the response status is 200",
		Group:       "responses",
		Handler:     h1((*World).statusIs),
	}, {
		Pattern:     `^the response status is one of (\d{3}(?:(?:, | or |,)\d{3})*)$`,
		Description: "The last response has one of these statuses (comma- or \"or\"-separated).",
		Example:     "Then the response status is one of 403, 404",
		Group:       "responses",
		Handler:     h1((*World).statusIsOneOf),
	}, {
		Pattern:     `^the response is a redirect to the login page$`,
		Description: "The last response is a 3xx whose Location is the target's login page.",
		Example:     "Then the response is a redirect to the login page",
		Group:       "responses",
		Handler:     h0((*World).isRedirectToLogin),
	}, {
		Pattern:     `^the response JSON field "([^"]+)" is "([^"]*)"$`,
		Description: "A field of the JSON body (dotted path, numeric indexes: orders.0.id) equals the text.",
		Example:     `Then the response JSON field "plan" is "pro"`,
		Group:       "responses",
		Handler:     h2((*World).jsonFieldIs),
	}, {
		Pattern:     `^the response JSON field "([^"]+)" is (\w+)'s "([^"]+)"$`,
		Description: "A field of the JSON body equals one of the account's fingerprints.",
		Example:     `Then the response JSON field "email" is alice's "email"`,
		Group:       "responses",
		Args:        []string{"", ArgAccount, ""},
		Handler:     h3((*World).jsonFieldIsFingerprint),
	}, {
		Pattern:     `^the response JSON field "([^"]+)" has (\d+) items?$`,
		Description: "A JSON array field (\".\" for the body itself) has exactly this many items.",
		Example:     `Then the response JSON field "orders" has 2 items`,
		Group:       "responses",
		Handler:     h2((*World).jsonArrayHas),
	}, {
		Pattern:     `^the response JSON has only the fields allowed for the "([^"]+)" route$`,
		Description: "The JSON object (or each object of a JSON array) has no field outside the route's allowed_fields; a field holding objects needs its sub-fields listed as field.sub (or field.* for all).",
		Example:     `Then the response JSON has only the fields allowed for the "profile" route`,
		Group:       "responses",
		Args:        []string{ArgRoute},
		Handler:     h1((*World).onlyRouteFields),
	}, {
		Pattern:     `^the response JSON has only the fields ("[^"]+"(?:, "[^"]+")*)$`,
		Description: "The JSON object (or each object of a JSON array) has no field outside the quoted list (field.sub for nested fields, field.* for a whole object).",
		Example:     `Then the response JSON has only the fields "id", "email", "name"`,
		Group:       "responses",
		Handler:     h1((*World).onlyFields),
	}, {
		Pattern:     `^the response header "([^"]+)" contains "([^"]+)"$`,
		Description: "A header of the last response contains the text (case-insensitive).",
		Example:     `Then the response header "Cache-Control" contains "no-store"`,
		Group:       "responses",
		Handler:     h2((*World).headerContains),
	}, {
		Pattern:     `^the response contains (\w+)'s "([^"]+)"$`,
		Description: "The last response's body contains the account's fingerprint (the account sees its own data).",
		Example:     `Then the response contains alice's "order_1"`,
		Group:       "responses",
		Args:        []string{ArgAccount, ""},
		Handler:     h2((*World).containsFingerprint),
	}, {
		Pattern:     `^the response contains none of (\w+)'s fingerprints$`,
		Description: "Neither the body nor the headers of the last response contain any of the account's fingerprints.",
		Example:     "Then the response contains none of bob's fingerprints",
		Group:       "responses",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).containsNoneOf),
	}}
}

func h0(f func(*World, context.Context) error) any {
	return func(ctx context.Context) error { return f(worldFrom(ctx), ctx) }
}

// statusIs: `^the response status is (\d{3})$`.
func (w *World) statusIs(ctx context.Context, want string) error {
	return w.statusIsOneOf(ctx, want)
}

var statusCode = regexp.MustCompile(`\d{3}`)

// statusIsOneOf: `^the response status is one of (...)$`.
func (w *World) statusIsOneOf(_ context.Context, list string) error {
	resp, err := w.lastResponse()
	if err != nil {
		return err
	}
	codes := statusCode.FindAllString(list, -1)
	for _, c := range codes {
		if n, _ := strconv.Atoi(c); n == resp.Status {
			return nil
		}
	}
	return fmt.Errorf("%s answered %d%s; expected %s", resp.Describe(), resp.Status, locationNote(resp), strings.Join(codes, " or "))
}

// isRedirectToLogin: `^the response is a redirect to the login page$`.
func (w *World) isRedirectToLogin(context.Context) error {
	resp, err := w.lastResponse()
	if err != nil {
		return err
	}
	if !redirectsTo(resp, w.run.Target.LoginPage) {
		return fmt.Errorf("%s answered %d%s; expected a redirect to %s", resp.Describe(), resp.Status, locationNote(resp), w.run.Target.LoginPage)
	}
	return nil
}

func (w *World) jsonBody() (any, error) {
	resp, err := w.lastResponse()
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		return nil, fmt.Errorf("%s answered %d with a body that is not JSON (%s): %v", resp.Describe(), resp.Status, resp.Header.Get("Content-Type"), err)
	}
	return v, nil
}

// jsonField walks a dotted path ("orders.0.id"; "." is the body itself).
func jsonField(v any, path string) (any, error) {
	if path == "." || path == "" {
		return v, nil
	}
	cur := v
	for _, part := range strings.Split(path, ".") {
		switch t := cur.(type) {
		case map[string]any:
			next, ok := t[part]
			if !ok {
				return nil, fmt.Errorf("JSON field %q: no field %q", path, part)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, fmt.Errorf("JSON field %q: %q is not an index of an array of %d items", path, part, len(t))
			}
			cur = t[i]
		default:
			return nil, fmt.Errorf("JSON field %q: %q is inside a %s, not an object or array", path, part, jsonKind(cur))
		}
	}
	return cur, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	case nil:
		return "null", true
	}
	return "", false
}

// jsonFieldIs: `^the response JSON field "([^"]+)" is "([^"]*)"$`.
func (w *World) jsonFieldIs(_ context.Context, path, want string) error {
	body, err := w.jsonBody()
	if err != nil {
		return err
	}
	v, err := jsonField(body, path)
	if err != nil {
		return fmt.Errorf("%s: %w", w.last.Describe(), err)
	}
	got, ok := scalarText(v)
	if !ok {
		return fmt.Errorf("%s: JSON field %q is an %s, expected %q", w.last.Describe(), path, jsonKind(v), want)
	}
	if got != want {
		return fmt.Errorf("%s: JSON field %q is %q, expected %q", w.last.Describe(), path, w.shown(got), want)
	}
	return nil
}

// jsonFieldIsFingerprint: `^the response JSON field "([^"]+)" is (\w+)'s "([^"]+)"$`.
// shown is a value as failure messages may show it: masked when it is any account's fingerprint.
func (w *World) shown(v string) string {
	for _, a := range w.run.Target.Accounts {
		for _, fp := range a.Fingerprints {
			if strings.Contains(v, fp.Value) {
				return redact.Mask(v)
			}
		}
	}
	if len(v) > 80 {
		return v[:80] + "..."
	}
	return v
}

func (w *World) jsonFieldIsFingerprint(_ context.Context, path, owner, fpName string) error {
	a, err := w.account(owner)
	if err != nil {
		return err
	}
	want, ok := a.Fingerprint(fpName)
	if !ok {
		return fmt.Errorf("account %q has no fingerprint %q", owner, fpName)
	}
	body, err := w.jsonBody()
	if err != nil {
		return err
	}
	v, err := jsonField(body, path)
	if err != nil {
		return fmt.Errorf("%s: %w", w.last.Describe(), err)
	}
	if got, _ := scalarText(v); got != want {
		return fmt.Errorf("%s: JSON field %q is %q, expected %s's %s (%s)", w.last.Describe(), path, redact.Mask(got), owner, fpName, redact.Mask(want))
	}
	return nil
}

// jsonArrayHas: `^the response JSON field "([^"]+)" has (\d+) items?$`.
func (w *World) jsonArrayHas(_ context.Context, path, count string) error {
	body, err := w.jsonBody()
	if err != nil {
		return err
	}
	v, err := jsonField(body, path)
	if err != nil {
		return fmt.Errorf("%s: %w", w.last.Describe(), err)
	}
	arr, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s: JSON field %q is %s, expected an array", w.last.Describe(), path, jsonKind(v))
	}
	want, err := strconv.Atoi(count)
	if err != nil {
		return fmt.Errorf("%q is not a count", count)
	}
	if len(arr) != want {
		return fmt.Errorf("%s: JSON field %q has %d items, expected %d", w.last.Describe(), path, len(arr), want)
	}
	return nil
}

// onlyRouteFields: `^the response JSON has only the fields allowed for the "([^"]+)" route$`.
func (w *World) onlyRouteFields(ctx context.Context, routeName string) error {
	r, err := w.route(routeName)
	if err != nil {
		return err
	}
	if len(r.AllowedFields) == 0 {
		return fmt.Errorf("route %q has no allowed_fields in the config; list the fields it may return", r.Name)
	}
	return w.onlyFieldsIn(r.AllowedFields)
}

var quoted = regexp.MustCompile(`"([^"]+)"`)

// onlyFields: `^the response JSON has only the fields ("[^"]+"(?:, "[^"]+")*)$`.
func (w *World) onlyFields(_ context.Context, list string) error {
	var allowed []string
	for _, m := range quoted.FindAllStringSubmatch(list, -1) {
		allowed = append(allowed, m[1])
	}
	return w.onlyFieldsIn(allowed)
}

// onlyFieldsIn checks the fields of the JSON object (or of each object of a JSON array) against
// the allowed list. Nested objects are checked too: a field holding an object (or objects) is
// allowed only with its sub-fields listed as "field.sub", or all of them as "field.*" — an
// allowed "user" must not let "user.password_hash" through.
func (w *World) onlyFieldsIn(allowed []string) error {
	body, err := w.jsonBody()
	if err != nil {
		return err
	}
	ok := map[string]bool{}
	for _, f := range allowed {
		ok[f] = true
	}
	if _, isObj := body.(map[string]any); !isObj {
		if _, isArr := body.([]any); !isArr {
			return fmt.Errorf("%s: the JSON body is %s, expected an object or an array of objects", w.last.Describe(), jsonKind(body))
		}
	}
	extra := map[string]bool{}
	extraFields(body, "", ok, extra)
	if len(extra) == 0 {
		return nil
	}
	names := make([]string, 0, len(extra))
	for k := range extra {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Errorf("%s returned fields beyond the allowed ones: %s (allowed: %s)", w.last.Describe(), strings.Join(names, ", "), strings.Join(allowed, ", "))
}

// extraFields adds to extra every field path under prefix that allowed does not cover.
func extraFields(v any, prefix string, allowed, extra map[string]bool) {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			extraFields(e, prefix, allowed, extra)
		}
	case map[string]any:
		for k, sub := range t {
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			switch {
			case allowed[path+".*"]:
				// the whole object is allowed
			case !allowed[path]:
				extra[path] = true
			case holdsObjects(sub):
				extraFields(sub, path, allowed, extra)
			}
		}
	}
}

// holdsObjects reports whether v is an object or an array with an object in it.
func holdsObjects(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return true
	case []any:
		for _, e := range t {
			if holdsObjects(e) {
				return true
			}
		}
	}
	return false
}

// headerContains: `^the response header "([^"]+)" contains "([^"]+)"$`.
func (w *World) headerContains(_ context.Context, name, want string) error {
	resp, err := w.lastResponse()
	if err != nil {
		return err
	}
	values := resp.Header.Values(name)
	for _, v := range values {
		if strings.Contains(strings.ToLower(v), strings.ToLower(want)) {
			return nil
		}
	}
	if len(values) == 0 {
		return fmt.Errorf("%s has no %s header; expected one containing %q", resp.Describe(), name, want)
	}
	return fmt.Errorf("%s header %s is %q; expected it to contain %q", resp.Describe(), name, strings.Join(values, ", "), want)
}

// containsFingerprint: `^the response contains (\w+)'s "([^"]+)"$`.
func (w *World) containsFingerprint(_ context.Context, owner, fpName string) error {
	resp, err := w.lastResponse()
	if err != nil {
		return err
	}
	a, err := w.account(owner)
	if err != nil {
		return err
	}
	v, ok := a.Fingerprint(fpName)
	if !ok {
		return fmt.Errorf("account %q has no fingerprint %q", owner, fpName)
	}
	if !strings.Contains(string(resp.Body), v) {
		return fmt.Errorf("%s (status %d) does not contain %s's %s (%s)", resp.Describe(), resp.Status, owner, fpName, redact.Mask(v))
	}
	return nil
}

// containsNoneOf: `^the response contains none of (\w+)'s fingerprints$`. Unlike the sentinel it
// also applies to the session's own account (e.g. after logging out).
func (w *World) containsNoneOf(_ context.Context, owner string) error {
	resp, err := w.lastResponse()
	if err != nil {
		return err
	}
	if _, err := w.account(owner); err != nil {
		return err
	}
	findings := w.run.Detector.Scan("the last response", func(acct string) bool { return acct == owner }, leakContent(resp))
	if len(findings) > 0 {
		return &LeakError{Findings: findings}
	}
	return nil
}
