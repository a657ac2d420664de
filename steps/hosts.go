package steps

import (
	"net/url"
	"strings"
)

// hostIs reports whether host (as in a URL, port allowed) is want or one of its subdomains.
// Case is ignored; "api.example.com" is not matched by "example.co" or "i.example.com".
func hostIs(host, want string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.Contains(host, "]") {
		host = h
	}
	want = strings.ToLower(strings.TrimSuffix(want, "."))
	return want != "" && (host == want || strings.HasSuffix(host, "."+want))
}

// urlHitsHost reports whether a URL's host is want or one of its subdomains, whatever its
// scheme (http, https, ws, wss) or port.
func urlHitsHost(rawURL, want string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	return hostIs(u.Hostname(), want)
}

// textMentionsHost reports whether text names the host or a subdomain of it as a whole host
// name: "https://api.prod.example/x", "//db.api.prod.example:5432" and "api.prod.example" count;
// "api.prod.example.com" and "xapi.prod.example" do not.
func textMentionsHost(text, want string) (int, bool) {
	lower, want := strings.ToLower(text), strings.ToLower(want)
	for from := 0; ; {
		i := strings.Index(lower[from:], want)
		if i < 0 {
			return 0, false
		}
		start, end := from+i, from+i+len(want)
		before := start == 0 || !isHostChar(lower[start-1]) || lower[start-1] == '.'
		after := end == len(lower) || !isHostChar(lower[end]) || (lower[end] == '.' && (end+1 == len(lower) || !isHostChar(lower[end+1])))
		if before && after {
			return start, true
		}
		from = start + 1
	}
}

func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}
