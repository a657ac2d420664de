package redact

import (
	"encoding/json"
	"html"
	"net/url"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// minSecretLen is the shortest configured secret that is masked; shorter values would mask
// ordinary words and digits everywhere.
const minSecretLen = 4

// Redactor masks secrets in text and HTTP headers before anything is written. It is safe for
// concurrent use. A nil *Redactor applies the pattern rules only, as New(nil) does.
type Redactor struct {
	mu sync.RWMutex
	// secrets are the configured values and their encoded forms, longest first.
	secrets []string
}

// New returns a Redactor that masks the given secret values (passwords, tokens, signing secrets)
// wherever they occur, raw or URL-, JSON- or HTML-encoded, on top of the pattern rules that need
// no configuration. Values shorter than 4 characters and duplicates are ignored.
func New(secrets []string) *Redactor {
	return &Redactor{secrets: expand(nil, secrets)}
}

// Add masks more values from now on: secrets only known at run time, such as the session
// tokens a login returned. Safe for concurrent use with String.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = expand(r.secrets, secrets)
}

// expand adds the secrets and their encodings to known, longest first, without duplicates.
func expand(known, secrets []string) []string {
	seen := map[string]bool{}
	all := append([]string(nil), known...)
	for _, k := range known {
		seen[k] = true
	}
	for _, s := range secrets {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if utf8.RuneCountInString(strings.TrimSpace(s)) < minSecretLen {
			continue
		}
		for _, v := range encodings(s) {
			if utf8.RuneCountInString(v) >= minSecretLen && !seen[v] {
				seen[v] = true
				all = append(all, v)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	return all
}

// encodings returns a secret as written raw, in a URL query or path, inside a JSON string and in HTML text.
func encodings(s string) []string {
	out := []string{s, url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s)}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		q := strings.TrimSpace(b.String())
		out = append(out, q[1:len(q)-1])
	}
	return out
}

// String returns s with every secret masked by Mask: configured secret values; the values of
// Authorization, Proxy-Authorization, Cookie and Set-Cookie headers (and of hyphenated header names
// naming a token, secret, password, API key, session or signature, such as X-Api-Key or
// Stripe-Signature) written as "Name: value" up to the end of the line (the auth scheme,
// cookie names and Set-Cookie attributes stay readable); bearer tokens; passwords in URLs
// (scheme://user:password@host); JWTs; Stripe secret, restricted and webhook keys (publishable
// pk_ keys are not secret); and the values of JSON or form fields named like password, token,
// secret, api_key, key, authorization, cookie or session. Invalid UTF-8 becomes U+FFFD.
// String is idempotent: String(String(s)) == String(s).
func (r *Redactor) String(s string) string {
	return r.fixpoint(s, nil)
}

// Header returns a copy of h in which the values of Authorization, Proxy-Authorization, Cookie,
// Set-Cookie and of headers whose name contains token, secret, password, api-key, session or
// signature are masked (keeping the auth scheme, cookie names and Set-Cookie attributes), and
// every other value went through String. A nil h gives nil.
func (r *Redactor) Header(h map[string][]string) map[string][]string {
	if h == nil {
		return nil
	}
	out := make(map[string][]string, len(h))
	for name, values := range h {
		kind := headerKindOf(name)
		cp := make([]string, len(values))
		for i, v := range values {
			if kind == plainHeader {
				cp[i] = r.String(v)
				continue
			}
			cp[i] = r.fixpoint(v, func(v string) []span { return headerValueSpans(kind, v, 0) })
		}
		out[name] = cp
	}
	return out
}

// maxPasses bounds fixpoint; real text settles in one or two passes.
const maxPasses = 32

// fixpoint masks every span the rules (and extra, when set) find, and repeats on the result until
// nothing changes, so that the output is stable under another pass. Each pass that changes
// anything makes the text shorter or replaces characters with '*', so the loop ends; maxPasses
// only bounds the time spent on hostile input, which then stays masked at least as much.
func (r *Redactor) fixpoint(s string, extra func(string) []span) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for range maxPasses {
		spans := r.find(s)
		if extra != nil {
			spans = append(spans, extra(s)...)
		}
		next := apply(s, spans)
		if next == s {
			return s
		}
		s = next
	}
	return s
}

// find returns the byte ranges of s that every rule wants masked.
func (r *Redactor) find(s string) []span {
	var spans []span
	if r != nil {
		r.mu.RLock()
		secrets := r.secrets
		r.mu.RUnlock()
		spans = append(spans, secretSpans(s, secrets)...)
	}
	for _, rule := range rules {
		spans = append(spans, rule.find(s)...)
	}
	return spans
}

// span is a byte range [start, end) of text to mask.
type span struct{ start, end int }

// apply replaces each run of overlapping spans with its Mask.
func apply(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	var b strings.Builder
	b.Grow(len(s))
	pos := 0
	for i := 0; i < len(spans); {
		cur := spans[i]
		i++
		for i < len(spans) && spans[i].start < cur.end {
			cur.end = max(cur.end, spans[i].end)
			i++
		}
		if cur.end <= cur.start {
			continue
		}
		b.WriteString(s[pos:cur.start])
		b.WriteString(Mask(s[cur.start:cur.end]))
		pos = cur.end
	}
	b.WriteString(s[pos:])
	return b.String()
}

// secretSpans finds every occurrence of every configured secret.
func secretSpans(s string, secrets []string) []span {
	var spans []span
	for _, sec := range secrets {
		for from := 0; ; {
			i := strings.Index(s[from:], sec)
			if i < 0 {
				break
			}
			start := from + i
			spans = append(spans, span{start, start + len(sec)})
			from = start + len(sec)
		}
	}
	return spans
}
