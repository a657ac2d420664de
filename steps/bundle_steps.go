package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"regress/reports"
	"regress/steps/bundle"
)

func bundleSteps() []Def {
	return []Def{{
		Pattern:     `^the public pages and client assets contain no secrets$`,
		Description: "Crawls the config's bundle.entry_pages and same-origin links without a session, collects every script, __NEXT_DATA__, Next.js chunk and build manifest and reachable source map, and scans them for secret keys (Stripe sk_/rk_/whsec_, Supabase sb_secret_ and service-role JWTs, AWS keys, private keys) and the config's own secrets. Publishable keys and the anon JWT are allowed.",
		Example:     "Then the public pages and client assets contain no secrets",
		Group:       "client bundle",
		Handler:     h0((*World).noSecretsInAssets),
	}, {
		Pattern:     `^the public pages and client assets name no production host or secret$`,
		Description: "Crawls the public pages and client assets like the secret scan and fails on any production host (config production.hosts, subdomains included) or production secret value (production.secrets) in them.",
		Example:     "Then the public pages and client assets name no production host or secret",
		Group:       "client bundle",
		Handler:     h0((*World).noProductionInAssets),
	}, {
		Pattern:     `^(\w+)'s browser sent no request to a production host$`,
		Description: "No network request of the pages the session opened in this scenario went to a production host (config production.hosts, any scheme, port or subdomain).",
		Example:     "Then alice's browser sent no request to a production host",
		Group:       "client bundle",
		Args:        []string{ArgSession},
		Handler:     h1((*World).noRequestToProduction),
	}}
}

// noSecretsInAssets: `^the public pages and client assets contain no secrets$`.
func (w *World) noSecretsInAssets(ctx context.Context) error {
	crawl, problems, err := w.crawlPublicAssets(ctx)
	if err != nil {
		return err
	}
	for _, f := range bundle.ScanCrawl(crawl, w.run.Target.Secrets()) {
		problems = append(problems, "secret in a browser-visible asset: "+f.String())
	}
	return joinProblems(problems)
}

// noProductionInAssets: `^the public pages and client assets name no production host or secret$`.
func (w *World) noProductionInAssets(ctx context.Context) error {
	prod := w.run.Target.Production
	if len(prod.Hosts) == 0 && len(prod.Secrets) == 0 {
		return fmt.Errorf("target %q declares no production hosts or secrets: add a production: section with hosts and secrets to its config", w.run.Target.Name)
	}
	crawl, problems, err := w.crawlPublicAssets(ctx)
	if err != nil {
		return err
	}
	for _, f := range bundle.ScanCrawl(crawl, prod.Secrets) {
		if f.Rule == bundle.ConfigSecretRule {
			problems = append(problems, "production secret in a browser-visible asset: "+f.String())
		}
	}
	for _, a := range crawl.Assets {
		for _, host := range prod.Hosts {
			if at, ok := textMentionsHost(string(a.Body), host); ok {
				problems = append(problems, fmt.Sprintf("production host %s named in %s line %d", host, a.URL, lineOf(a.Body, at)))
			}
		}
	}
	return joinProblems(problems)
}

// crawlPublicAssets crawls the target's public pages without a session. Every page it reads goes
// through the leak sentinel too: what every visitor sees must hold nobody's data. It fails
// closed: an entry page that could not be read was not scanned.
func (w *World) crawlPublicAssets(ctx context.Context) (*bundle.Crawl, []string, error) {
	s, err := w.session("anonymous")
	if err != nil {
		return nil, nil, err
	}
	t := w.run.Target
	var problems, cut []string
	fetch := func(ctx context.Context, url string) (int, string, []byte, error) {
		resp, err := s.Do(ctx, http.MethodGet, url, nil, "")
		if err != nil {
			return 0, "", nil, err
		}
		if resp.Truncated {
			cut = append(cut, fmt.Sprintf("%s was cut at max_body_bytes (%d bytes): only its start was scanned", url, t.MaxBodyBytes))
		}
		if err := w.takeLeaks(); err != nil {
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
		return nil, nil, fmt.Errorf("the crawl of %s could not read everything it must scan:\n%s", t.BaseURL, strings.Join(crawl.Errors, "\n"))
	}
	// What the crawl did not cover (limits reached, scripts on other origins, cut bodies) goes
	// into the reports with the scenario, so a pass says what it vouches for.
	coverage := fmt.Sprintf("scanned %d assets from %s\n", len(crawl.Assets), strings.Join(entries, ", "))
	for _, n := range append(crawl.Notes, cut...) {
		coverage += n + "\n"
	}
	w.Attachments = append(w.Attachments, reports.Attachment{Name: "client asset scan coverage", MediaType: "text/plain", Data: []byte(coverage)})
	return crawl, problems, nil
}

func joinProblems(problems []string) error {
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// noRequestToProduction: `^(\w+)'s browser sent no request to a production host$`.
func (w *World) noRequestToProduction(_ context.Context, who string) error {
	hosts := w.run.Target.Production.Hosts
	if len(hosts) == 0 {
		return fmt.Errorf("target %q declares no production hosts: add production.hosts to its config", w.run.Target.Name)
	}
	calls, ok := w.netCalls[who]
	if !ok {
		return fmt.Errorf("%s opened no page in this scenario; open one first", who)
	}
	var problems []string
	for _, c := range calls {
		for _, h := range hosts {
			if urlHitsHost(c, h) {
				problems = append(problems, fmt.Sprintf("%s's browser called the production host %s: %s", who, h, c))
			}
		}
	}
	return joinProblems(problems)
}
