package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"regress/steps/bundle"
)

func bundleSteps() []Def {
	return []Def{{
		Pattern:     `^the public pages and client assets contain no secrets$`,
		Description: "Crawls the config's bundle.entry_pages and same-origin links without a session, collects every script, __NEXT_DATA__, Next.js chunk and build manifest and reachable source map, and scans them for secret keys (Stripe sk_/rk_/whsec_, Supabase sb_secret_ and service-role JWTs, AWS keys, private keys) and the config's own secrets. Publishable keys and the anon JWT are allowed.",
		Example:     "Then the public pages and client assets contain no secrets",
		Group:       "client bundle",
		Handler:     h0((*World).noSecretsInAssets),
	}}
}

// noSecretsInAssets: `^the public pages and client assets contain no secrets$`.
func (w *World) noSecretsInAssets(ctx context.Context) error {
	s, err := w.session("anonymous")
	if err != nil {
		return err
	}
	t := w.run.Target
	var problems []string
	fetch := func(ctx context.Context, url string) (int, string, []byte, error) {
		resp, err := s.Do(ctx, http.MethodGet, url, nil, "")
		if err != nil {
			return 0, "", nil, err
		}
		// Public pages are what every visitor sees: no customer's data belongs there either.
		if err := w.scan(s, resp); err != nil {
			problems = append(problems, err.Error())
		}
		return resp.Status, resp.Header.Get("Content-Type"), resp.Body, nil
	}
	entries := make([]string, 0, len(t.Bundle.EntryPages))
	for _, p := range t.Bundle.EntryPages {
		entries = append(entries, t.BaseURL+p)
	}
	crawl := bundle.CrawlSite(ctx, fetch, bundle.CrawlOptions{EntryPages: entries, MaxPages: t.Bundle.MaxPages, MaxBytes: t.Bundle.MaxBytes})
	if len(crawl.Errors) > 0 {
		// Fail closed: an entry page that could not be read was not scanned.
		return fmt.Errorf("the crawl of %s could not read everything it must scan:\n%s", t.BaseURL, strings.Join(crawl.Errors, "\n"))
	}
	for _, f := range bundle.ScanCrawl(crawl, t.Secrets()) {
		problems = append(problems, "secret in a browser-visible asset: "+f.String())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}
