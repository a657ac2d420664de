// Package leak is the leak sentinel: it checks everything a session sees against the
// fingerprints of every other account and reports each hit with evidence.
package leak

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"regress/redact"
)

// Fingerprint is a value that belongs to one account alone.
type Fingerprint struct {
	Account string // owning account
	Name    string // e.g. "email"
	Value   string
}

// Finding is one fingerprint seen by a session it does not belong to.
type Finding struct {
	Viewer      string // the session that saw it ("anonymous" for none)
	Account     string // the account the value belongs to
	Fingerprint string // fingerprint name
	Masked      string // masked value, never the value itself
	URL         string
	Where       string // e.g. `body at $.orders[2].email`, `header "Location"`, `body line 14`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s saw %s's %s (%s) in %s, %s", f.Viewer, f.Account, f.Fingerprint, f.Masked, f.URL, f.Where)
}

// Detector scans content for the fingerprints of accounts other than the viewer's.
type Detector struct {
	fingerprints []Fingerprint
}

// NewDetector returns a detector for the given fingerprints. Longer values are checked first so
// that evidence names the most specific fingerprint.
func NewDetector(fps []Fingerprint) *Detector {
	sorted := append([]Fingerprint(nil), fps...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].Value) > len(sorted[j].Value) })
	return &Detector{fingerprints: sorted}
}

// Content is one thing a session saw.
type Content struct {
	URL    string
	Header http.Header
	Body   []byte
	// Sent is what the viewer itself sent (URL, request body): a value it sent is not counted
	// as leaked back to it, so an API that echoes the requested id is not a false alarm.
	Sent string
}

// Scan returns the findings for a viewer. foreign reports whether an account's fingerprints
// are foreign to the viewer: for a logged-in session every other account; for an anonymous or
// invalidated session every account.
func (d *Detector) Scan(viewer string, foreign func(account string) bool, c Content) []Finding {
	var out []Finding
	seen := map[string]bool{}
	var decoded any
	jsonOK := len(bytes.TrimSpace(c.Body)) > 0 && json.Unmarshal(c.Body, &decoded) == nil
	unescaped := html.UnescapeString(string(c.Body))
	for _, fp := range d.fingerprints {
		if !foreign(fp.Account) || fp.Value == "" || seen[fp.Account+"\x00"+fp.Value] {
			continue
		}
		if c.Sent != "" && strings.Contains(c.Sent, fp.Value) {
			continue
		}
		where := locate(fp.Value, c, decoded, jsonOK, unescaped)
		if where == "" {
			continue
		}
		seen[fp.Account+"\x00"+fp.Value] = true
		out = append(out, Finding{
			Viewer: viewer, Account: fp.Account, Fingerprint: fp.Name,
			Masked: redact.Mask(fp.Value), URL: c.URL, Where: where,
		})
	}
	return out
}

func locate(value string, c Content, decoded any, jsonOK bool, unescaped string) string {
	names := make([]string, 0, len(c.Header))
	for name := range c.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range c.Header[name] {
			if strings.Contains(v, value) || strings.Contains(v, url.QueryEscape(value)) || strings.Contains(v, url.PathEscape(value)) {
				return fmt.Sprintf("header %q", name)
			}
		}
	}
	if jsonOK {
		if path := jsonPath(decoded, value, "$"); path != "" {
			return "body at " + path
		}
	}
	// The raw text first: unescaping can also change text that only looked like an entity.
	raw := string(c.Body)
	if i := strings.Index(raw, value); i >= 0 {
		return "body line " + strconv.Itoa(1+strings.Count(raw[:i], "\n"))
	}
	if i := strings.Index(unescaped, value); i >= 0 {
		return "body line " + strconv.Itoa(1+strings.Count(unescaped[:i], "\n")) + " (HTML-escaped)"
	}
	// The same value URL-encoded (links, redirects, query strings) or, for an email, in another
	// case (apps often lowercase addresses).
	for _, enc := range []string{url.QueryEscape(value), url.PathEscape(value)} {
		if enc == value {
			continue
		}
		if i := strings.Index(raw, enc); i >= 0 {
			return "body line " + strconv.Itoa(1+strings.Count(raw[:i], "\n")) + " (URL-encoded)"
		}
	}
	if strings.Contains(value, "@") {
		if i := strings.Index(strings.ToLower(unescaped), strings.ToLower(value)); i >= 0 {
			return "body line " + strconv.Itoa(1+strings.Count(unescaped[:i], "\n")) + " (other case)"
		}
	}
	return ""
}

// jsonPath returns the path of the first JSON string or key containing value.
func jsonPath(v any, value, path string) string {
	switch t := v.(type) {
	case string:
		if strings.Contains(t, value) {
			return path
		}
	case float64:
		if strings.Contains(strconv.FormatFloat(t, 'f', -1, 64), value) {
			return path
		}
	case []any:
		for i, e := range t {
			if p := jsonPath(e, value, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if strings.Contains(k, value) {
				// The key is the value itself: evidence shows it masked.
				return path + "." + redact.Mask(k) + " (a key)"
			}
			if p := jsonPath(t[k], value, path+"."+k); p != "" {
				return p
			}
		}
	}
	return ""
}
