package redact

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// rule finds the byte ranges of a text that must be masked. Value classes include '*' so that an
// already masked value is found whole again and masks to itself.
type rule struct {
	name string
	find func(s string) []span
}

// rules are the pattern rules applied to every text, whatever the configured secrets.
var rules = []rule{
	{"header line", headerLineSpans},
	{"bearer token", groupSpans(regexp.MustCompile(`(?i)\bbearer[ \t]+([A-Za-z0-9\-._~+/*]+=*)`))},
	{"url password", groupSpans(regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://[^\s/?#@:]*:([^\s/?#@]+)@`))},
	{"jwt", groupSpans(regexp.MustCompile(`(eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)`))},
	{"stripe key", groupSpans(regexp.MustCompile(`((?:sk|rk)_(?:live|test)_[0-9A-Za-z_]{4,}|whsec_[0-9A-Za-z_+/=]{4,})`))},
	{"json field", jsonFieldSpans},
	{"form field", formFieldSpans},
}

// groupSpans returns a finder that masks the first group of every match of re.
func groupSpans(re *regexp.Regexp) func(string) []span {
	return func(s string) []span {
		var spans []span
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			if m[2] >= 0 && m[3] > m[2] {
				spans = append(spans, span{m[2], m[3]})
			}
		}
		return spans
	}
}

// headerKind says how a header's value is masked.
type headerKind int

const (
	plainHeader     headerKind = iota // not secret: only the pattern rules apply
	authHeader                        // "Scheme credentials": the credentials are masked
	cookieHeader                      // "a=1; b=2": every cookie value is masked
	setCookieHeader                   // "a=1; Path=/; HttpOnly": the value and odd attributes are masked
	secretHeader                      // the whole value is masked
)

// secretHeaderWords make any header whose lowercased name contains one of them a secret header.
var secretHeaderWords = []string{"token", "secret", "password", "passwd", "api-key", "apikey", "api_key", "session", "signature"}

// headerKindOf classifies a header name, case-insensitively.
func headerKindOf(name string) headerKind {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "authorization", "proxy-authorization":
		return authHeader
	case "cookie":
		return cookieHeader
	case "set-cookie":
		return setCookieHeader
	}
	for _, w := range secretHeaderWords {
		if strings.Contains(n, w) {
			return secretHeader
		}
	}
	return plainHeader
}

// headerNameRE finds "Name:" in text; the boundary before the name is checked by hand.
var headerNameRE = regexp.MustCompile(`([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)[ \t]*:[ \t]*`)

// headerLineSpans masks the values of secret headers written as "Name: value", up to the end of
// the line. In running text a name made of one word must be Authorization or Cookie; other secret
// header names (X-Api-Key, Stripe-Signature) must be hyphenated, so "session: expired" is left alone.
func headerLineSpans(s string) []span {
	var spans []span
	covered := 0 // the end of the last masked value: names inside it are part of that value
	for _, m := range headerNameRE.FindAllStringSubmatchIndex(s, -1) {
		if m[2] < covered || m[2] > 0 && isNameByte(s[m[2]-1]) {
			continue
		}
		name := s[m[2]:m[3]]
		kind := headerKindOf(name)
		if kind == plainHeader || kind == secretHeader && !strings.Contains(name, "-") {
			continue
		}
		end := m[1]
		for end < len(s) && s[end] != '\n' && s[end] != '\r' {
			end++
		}
		spans = append(spans, headerValueSpans(kind, s[m[1]:end], m[1])...)
		covered = end
	}
	return spans
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// authSchemeRE splits "Scheme credentials".
var authSchemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*[ \t]+`)

// headerValueSpans returns what to mask in one header value of the kind; off is the value's offset in the text.
func headerValueSpans(kind headerKind, v string, off int) []span {
	switch kind {
	case authHeader:
		start := 0
		if m := authSchemeRE.FindStringIndex(v); m != nil && strings.TrimSpace(v[m[1]:]) != "" {
			start = m[1]
		}
		return trimmedSpan(v, start, len(v), off)
	case cookieHeader:
		var spans []span
		forEachItem(v, func(start, end int) {
			spans = append(spans, pairValueSpan(v, start, end, off)...)
		})
		return spans
	case setCookieHeader:
		var spans []span
		first := true
		forEachItem(v, func(start, end int) {
			if first {
				first = false
				spans = append(spans, pairValueSpan(v, start, end, off)...)
				return
			}
			if !plainCookieAttribute(strings.TrimSpace(v[start:end])) {
				spans = append(spans, pairValueSpan(v, start, end, off)...)
			}
		})
		return spans
	case secretHeader:
		return trimmedSpan(v, 0, len(v), off)
	}
	return nil
}

// forEachItem calls f with the bounds of every ';'-separated item of v.
func forEachItem(v string, f func(start, end int)) {
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ';' {
			f(start, i)
			start = i + 1
		}
	}
}

// pairValueSpan masks the value of "name=value" in v[start:end], or the whole item without '='.
func pairValueSpan(v string, start, end, off int) []span {
	if eq := strings.IndexByte(v[start:end], '='); eq >= 0 {
		start += eq + 1
	}
	return trimmedSpan(v, start, end, off)
}

// trimmedSpan is v[start:end] without surrounding blanks, shifted by off; none when empty.
func trimmedSpan(v string, start, end, off int) []span {
	for start < end && (v[start] == ' ' || v[start] == '\t') {
		start++
	}
	for end > start && (v[end-1] == ' ' || v[end-1] == '\t') {
		end--
	}
	if start == end {
		return nil
	}
	return []span{{off + start, off + end}}
}

// cookieAttributeRE lists the Set-Cookie attributes kept readable, each with the only value shape
// kept; anything else after the cookie (another cookie joined with a comma, say) is masked.
var cookieAttributeRE = regexp.MustCompile(`(?i)^(?:secure|httponly|partitioned|path=/[^\s,;]*|domain=\.?[a-z0-9.-]+|max-age=-?[0-9]+|samesite=(?:lax|strict|none)|priority=(?:low|medium|high)|expires=[a-z]{3}, [0-9]{1,2}[ -][a-z]{3}[ -][0-9]{2,4} [0-9]{2}:[0-9]{2}:[0-9]{2} gmt)$`)

func plainCookieAttribute(attr string) bool {
	return attr == "" || cookieAttributeRE.MatchString(attr)
}

// secretNameParts make a field name secret when its lowercased name contains one of them.
var secretNameParts = []string{"password", "passwd", "passphrase", "secret", "token", "apikey", "api_key", "api-key",
	"authorization", "cookie", "session", "credential", "signature"}

// secretNameWords make a field name secret when one of its words (split at punctuation and
// camelCase) is one of them: "key" masks api_key and privateKey but not monkey or keyword.
var secretNameWords = map[string]bool{"key": true, "pwd": true, "pass": true, "sid": true, "jwt": true,
	"auth": true, "sig": true, "bearer": true}

// secretName reports whether a JSON or form field of that name holds a secret.
func secretName(name string) bool {
	if u, err := url.QueryUnescape(name); err == nil {
		name = u
	}
	lower := strings.ToLower(name)
	for _, p := range secretNameParts {
		if strings.Contains(lower, p) {
			return true
		}
	}
	for _, w := range nameWords(name) {
		if secretNameWords[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// nameWords splits a field name at non-alphanumerics and at lower-to-upper case changes.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	var prev rune
	for _, c := range name {
		switch {
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			if len(cur) > 0 {
				words = append(words, string(cur))
			}
			cur = cur[:0]
		case unicode.IsUpper(c) && unicode.IsLower(prev) && len(cur) > 0:
			words = append(words, string(cur))
			cur = append(cur[:0], c)
		default:
			cur = append(cur, c)
		}
		prev = c
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	return words
}

// jsonKeyRE finds a JSON key and its colon, plain ("password": ...) or inside a JSON string that
// was itself encoded (\"password\": ...).
var jsonKeyRE = regexp.MustCompile(`(\\?)"([^"\\\r\n]{1,64})\\?"[ \t]*:[ \t]*`)

// jsonFieldSpans masks the string value (or every string of an array value) of JSON fields with a secret name.
func jsonFieldSpans(s string) []span {
	var spans []span
	covered := 0 // the end of the last masked value: keys inside it are part of that value
	for _, m := range jsonKeyRE.FindAllStringSubmatchIndex(s, -1) {
		if m[0] < covered || !secretName(s[m[4]:m[5]]) {
			continue
		}
		escaped := m[3] > m[2]
		i := m[1]
		if i < len(s) && s[i] == '[' {
			for i++; ; {
				i = skipBlanks(s, i)
				start, end, ok := jsonString(s, i, escaped)
				if !ok {
					break
				}
				if end > start {
					spans = append(spans, span{start, end})
					covered = end
				}
				i = skipBlanks(s, closeAfter(end, escaped))
				if i >= len(s) || s[i] != ',' {
					break
				}
				i++
			}
			continue
		}
		if start, end, ok := jsonString(s, i, escaped); ok && end > start {
			spans = append(spans, span{start, end})
			covered = end
		}
	}
	return spans
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// closeAfter is the index after the closing quote of a string whose content ends at end.
func closeAfter(end int, escaped bool) int {
	if escaped {
		return end + 2
	}
	return end + 1
}

// jsonString returns the bounds of the content of the JSON string opening at i. In escaped mode
// the JSON text was itself put in a JSON string, so quotes appear as \" and backslashes as \\.
// An unterminated string runs to the end of the line, so a cut body still has its value masked.
func jsonString(s string, i int, escaped bool) (start, end int, ok bool) {
	open := `"`
	if escaped {
		open = `\"`
	}
	if !strings.HasPrefix(s[i:], open) {
		return 0, 0, false
	}
	start = i + len(open)
	inner := false // the previous decoded character was an unescaped backslash of the inner string
	for j := start; j < len(s); {
		c, width := s[j], 1
		if c == '\n' || c == '\r' {
			return start, j, true
		}
		if escaped && c == '\\' && j+1 < len(s) {
			c, width = s[j+1], 2
			if c == '"' && !inner {
				return start, j, true
			}
		} else if c == '"' && !inner {
			return start, j, true
		}
		inner = c == '\\' && !inner
		j += width
	}
	return start, len(s), true
}

// formKeyRE finds "name=" in a query string, form body, cookie list or running text.
var formKeyRE = regexp.MustCompile(`(?:^|[\s?&;,:(\[{"'>|])([A-Za-z0-9_.\-\[\]%]{1,64})=`)

// formFieldSpans masks the value of name=value pairs with a secret name: up to the next &, blank,
// quote, backslash, ;, <, > or #, or between the quotes of name="value".
func formFieldSpans(s string) []span {
	var spans []span
	covered := 0 // the end of the last masked value: names inside it are part of that value
	for _, m := range formKeyRE.FindAllStringSubmatchIndex(s, -1) {
		if m[2] < covered || !secretName(s[m[2]:m[3]]) {
			continue
		}
		start := m[1]
		end := start
		if start < len(s) && (s[start] == '"' || s[start] == '\'') {
			q := s[start]
			start++
			end = start
			for end < len(s) && s[end] != q && s[end] != '\n' {
				end++
			}
		} else {
			for end < len(s) && !strings.ContainsRune("&\"'<>;#\r\n\t \\", rune(s[end])) {
				end++
			}
		}
		if end > start {
			spans = append(spans, span{start, end})
			covered = end
		}
	}
	return spans
}
