// Package bundle proves that a deployed site's public pages and client assets carry no secret
// that must stay on the server: it crawls the site over HTTP (pages, scripts, Next.js chunks and
// build manifests, reachable source maps) and scans what it fetched with a fixed rule set
// (Stripe secret and restricted keys, Stripe webhook secrets, Supabase secret keys and
// service-role JWTs, AWS access keys, private keys) plus the configuration's own secrets.
//
// Evidence never repeats a secret: a Finding carries only a masked value.
package bundle

import (
	"context"
	"fmt"
)

// Fetcher fetches one URL and returns its status, content type and body. Keeping to one origin,
// capping the body size, timeouts and rate limits are the caller's job; CrawlSite only ever asks
// for URLs on the origin of its first entry page.
type Fetcher func(ctx context.Context, url string) (status int, contentType string, body []byte, err error)

// Asset kinds.
const (
	KindPage          = "page"
	KindInlineScript  = "inline-script"
	KindScript        = "script"
	KindNextData      = "next-data"
	KindSourceMap     = "source-map"
	KindBuildManifest = "build-manifest"
)

// Asset is one thing the crawl collected.
type Asset struct {
	URL  string // fetched URL; for inline scripts the page URL + " (inline script N)", for __NEXT_DATA__ the page URL + " (__NEXT_DATA__)"
	Kind string // one of the Kind constants
	Body []byte
}

// Crawl is the outcome of CrawlSite.
type Crawl struct {
	Assets []Asset
	Notes  []string // coverage limits worth reporting, e.g. "stopped at 20 pages (7 more links not visited)"
	Errors []string // fetches that failed, entry pages that did not answer 2xx
}

// Finding is one secret seen in one asset. It never holds the secret itself.
type Finding struct {
	Rule   string // rule ID
	URL    string // asset URL (inline scripts: page URL + " (inline script N)"; source maps: map URL + " (source NAME)" when the secret is in an embedded source)
	Line   int    // 1-based line in the asset (or in the embedded source)
	Masked string // Mask of the value
}

// String returns "<rule> in <URL> line <N>: <masked>".
func (f Finding) String() string {
	return fmt.Sprintf("%s in %s line %d: %s", f.Rule, f.URL, f.Line, f.Masked)
}
