package bundle

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Crawl bounds used when CrawlOptions leaves them zero.
const (
	DefaultMaxPages  = 20
	DefaultMaxAssets = 200
	DefaultMaxBytes  = 50 << 20
)

// CrawlOptions bounds a crawl. Zero values take the defaults.
type CrawlOptions struct {
	EntryPages []string // absolute URLs to start from; the first one fixes the origin
	MaxPages   int      // HTML pages to visit; default 20
	MaxAssets  int      // scripts, source maps and manifests to fetch (including source-map guesses); default 200
	MaxBytes   int64    // total bytes fetched; default 50 MiB; no fetch starts once it is reached, so the last response may overshoot it
}

var (
	// nextChunkRE finds Next.js static chunks referenced anywhere in HTML or JavaScript text.
	nextChunkRE = regexp.MustCompile(`/_next/static/[A-Za-z0-9_\-./~@%\[\]()+=]+?\.js\b`)
	// nextRelChunkRE finds chunk paths relative to /_next/ as build manifests write them:
	// "static/chunks/pages/index-0a1b.js".
	nextRelChunkRE = regexp.MustCompile(`["'` + "`" + `](static/[A-Za-z0-9_\-./~@%\[\]()+=]+?\.js)["'` + "`" + `]`)
	// sourceMapRE finds a script's source map comment; the last one wins.
	sourceMapRE = regexp.MustCompile(`(?m)^[ \t]*//[#@][ \t]*sourceMappingURL=([^\s'"]+)[ \t]*\r?$`)
	// buildIDRE is what a Next.js buildId may look like before it is put into a URL.
	buildIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
)

// skippedLinkExt lists link targets that are not pages; following them would spend the byte
// budget on files that hold no script.
var skippedLinkExt = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".webp": true, ".avif": true,
	".ico": true, ".pdf": true, ".zip": true, ".gz": true, ".mp4": true, ".webm": true, ".mp3": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".css": true,
}

type job struct {
	url  string
	kind string
}

type crawler struct {
	ctx    context.Context
	fetch  Fetcher
	opts   CrawlOptions
	origin *url.URL
	out    *Crawl

	pages   []job // same-origin pages to visit, breadth-first
	assets  []job // scripts, manifests and referenced source maps
	guesses []job // script URL + ".map"
	queued  map[string]bool

	pagesVisited  int
	assetsFetched int
	bytes         int64
	stopped       bool // the byte budget is spent or the context is done

	crossOriginScripts map[string]bool
	buildIDs           map[string]bool
}

// CrawlSite visits the entry pages and the same-origin pages they link to (<a href>),
// breadth-first, and collects every page's HTML; its inline scripts and Next.js __NEXT_DATA__;
// its same-origin scripts (<script src>, <link rel=modulepreload>, <link rel=preload as=script>);
// every Next.js chunk referenced as "/_next/static/....js" in HTML or JavaScript text, or as
// "static/....js" in a build manifest; the build manifests of every buildId seen in
// __NEXT_DATA__; and source maps, both those a script names in a sourceMappingURL comment
// (inline data: maps are decoded) and those found by trying script URL + ".map" (a 200 with
// JSON counts as found). Assets of pages already visited are fetched before the next page;
// ".map" guesses come last.
//
// Only URLs with the scheme, host and port of the first entry page are fetched. The bounds in
// opts are respected and each one that cut the crawl short is said in Crawl.Notes, as are
// scripts left unscanned because they live on another origin. Failed fetches, and entry pages
// that do not answer 2xx, are in Crawl.Errors; other non-2xx answers are skipped quietly.
func CrawlSite(ctx context.Context, fetch Fetcher, opts CrawlOptions) *Crawl {
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultMaxPages
	}
	if opts.MaxAssets <= 0 {
		opts.MaxAssets = DefaultMaxAssets
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	c := &crawler{
		ctx: ctx, fetch: fetch, opts: opts, out: &Crawl{},
		queued:             map[string]bool{},
		crossOriginScripts: map[string]bool{},
		buildIDs:           map[string]bool{},
	}
	if len(opts.EntryPages) == 0 {
		c.out.Errors = append(c.out.Errors, "no entry pages to crawl")
		return c.out
	}
	if fetch == nil {
		c.out.Errors = append(c.out.Errors, "no fetcher to crawl with")
		return c.out
	}
	origin, err := url.Parse(opts.EntryPages[0])
	if err != nil || (origin.Scheme != "http" && origin.Scheme != "https") || origin.Host == "" {
		c.out.Errors = append(c.out.Errors, fmt.Sprintf("entry page %q is not an absolute http(s) URL", opts.EntryPages[0]))
		return c.out
	}
	c.origin = origin
	for _, e := range opts.EntryPages {
		u, err := url.Parse(e)
		if err != nil || !c.sameOrigin(u) {
			c.out.Errors = append(c.out.Errors, fmt.Sprintf("entry page %q is not on origin %s", e, c.originString()))
			continue
		}
		c.enqueue(&c.pages, u, KindPage)
	}
	c.run()
	c.summarize()
	return c.out
}

func (c *crawler) run() {
	entries := map[string]bool{}
	for _, p := range c.pages {
		entries[p.url] = true
	}
	// Attempts count against the limits, failed ones too.
	for !c.stopped {
		switch {
		case len(c.assets) > 0 && c.assetsFetched < c.opts.MaxAssets:
			j := c.assets[0]
			c.assets = c.assets[1:]
			c.assetsFetched++
			c.visitAsset(j)
		case len(c.pages) > 0 && c.pagesVisited < c.opts.MaxPages:
			j := c.pages[0]
			c.pages = c.pages[1:]
			c.pagesVisited++
			c.visitPage(j, entries[j.url])
		case len(c.guesses) > 0 && c.assetsFetched < c.opts.MaxAssets:
			j := c.guesses[0]
			c.guesses = c.guesses[1:]
			c.assetsFetched++
			c.visitAsset(j)
		default:
			return
		}
	}
}

func (c *crawler) summarize() {
	if n := len(c.pages); n > 0 && !c.stopped {
		c.note("stopped at %d pages (%d more same-origin links not visited)", c.pagesVisited, n)
	}
	if n := len(c.assets) + len(c.guesses); n > 0 && !c.stopped {
		c.note("stopped at %d assets (%d more scripts, manifests or source maps not fetched)", c.assetsFetched, n)
	}
	if n := len(c.crossOriginScripts); n > 0 {
		c.note("%d scripts on other origins not fetched or scanned", n)
	}
}

func (c *crawler) note(format string, args ...any) {
	c.out.Notes = append(c.out.Notes, fmt.Sprintf(format, args...))
}

// get fetches u within the byte budget. It reports false when nothing usable came back.
func (c *crawler) get(u string) (int, string, []byte, bool) {
	if err := c.ctx.Err(); err != nil {
		c.out.Errors = append(c.out.Errors, fmt.Sprintf("crawl interrupted: %v", err))
		c.stopped = true
		return 0, "", nil, false
	}
	if c.bytes >= c.opts.MaxBytes {
		left := len(c.pages) + len(c.assets) + len(c.guesses) + 1
		c.note("stopped at the byte limit: %d bytes fetched (limit %d); %d more URLs not fetched", c.bytes, c.opts.MaxBytes, left)
		c.stopped = true
		return 0, "", nil, false
	}
	status, ctype, body, err := c.fetch(c.ctx, u)
	c.bytes += int64(len(body))
	if err != nil {
		c.out.Errors = append(c.out.Errors, fmt.Sprintf("fetch %s: %v", u, err))
		return 0, "", nil, false
	}
	return status, ctype, body, true
}

func (c *crawler) visitPage(j job, entry bool) {
	status, ctype, body, ok := c.get(j.url)
	if !ok {
		return
	}
	if status < 200 || status > 299 {
		if entry {
			c.out.Errors = append(c.out.Errors, fmt.Sprintf("entry page %s: status %d", j.url, status))
		}
		return
	}
	c.out.Assets = append(c.out.Assets, Asset{URL: j.url, Kind: KindPage, Body: body})
	if base, err := url.Parse(j.url); err == nil && looksLikeHTML(ctype, body) {
		c.parsePage(base, body)
	}
	c.findChunks(body, false)
}

func looksLikeHTML(ctype string, body []byte) bool {
	if ctype != "" {
		return strings.Contains(strings.ToLower(ctype), "html")
	}
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) || bytes.Contains(head, []byte("<script"))
}

// parsePage collects a page's inline scripts and queues its links and scripts.
func (c *crawler) parsePage(page *url.URL, body []byte) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		c.out.Errors = append(c.out.Errors, fmt.Sprintf("parse %s: %v", page, err))
		return
	}
	base := page
	inline := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Base:
				if href, ok := attr(n, "href"); ok && base == page {
					if u, err := page.Parse(strings.TrimSpace(href)); err == nil {
						base = u
					}
				}
			case atom.A:
				if href, ok := attr(n, "href"); ok {
					c.link(base, href)
				}
			case atom.Link:
				rel, _ := attr(n, "rel")
				as, _ := attr(n, "as")
				rels := strings.Fields(strings.ToLower(rel))
				if href, ok := attr(n, "href"); ok &&
					(slices.Contains(rels, "modulepreload") || (slices.Contains(rels, "preload") && strings.EqualFold(as, "script"))) {
					c.script(base, href)
				}
			case atom.Script:
				if src, ok := attr(n, "src"); ok {
					c.script(base, src)
					break
				}
				text := textOf(n)
				if strings.TrimSpace(text) == "" {
					break
				}
				if id, _ := attr(n, "id"); id == "__NEXT_DATA__" {
					c.out.Assets = append(c.out.Assets, Asset{URL: page.String() + " (__NEXT_DATA__)", Kind: KindNextData, Body: []byte(text)})
					c.nextData(text)
					break
				}
				inline++
				c.out.Assets = append(c.out.Assets, Asset{
					URL: page.String() + " (inline script " + strconv.Itoa(inline) + ")", Kind: KindInlineScript, Body: []byte(text),
				})
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.TextNode {
			b.WriteString(ch.Data)
		}
	}
	return b.String()
}

// nextData reads the buildId from __NEXT_DATA__ and queues that build's manifests.
func (c *crawler) nextData(text string) {
	var nd struct {
		BuildID string `json:"buildId"`
	}
	if json.Unmarshal([]byte(text), &nd) != nil || !buildIDRE.MatchString(nd.BuildID) || c.buildIDs[nd.BuildID] {
		return
	}
	c.buildIDs[nd.BuildID] = true
	for _, name := range []string{"_buildManifest.js", "_ssgManifest.js"} {
		c.enqueue(&c.assets, c.origin.ResolveReference(&url.URL{Path: "/_next/static/" + nd.BuildID + "/" + name}), KindBuildManifest)
	}
}

// link queues a same-origin page link.
func (c *crawler) link(base *url.URL, ref string) {
	u, err := base.Parse(strings.TrimSpace(ref))
	if err != nil || !c.sameOrigin(u) {
		return
	}
	if skippedLinkExt[strings.ToLower(path.Ext(u.Path))] {
		return
	}
	c.enqueue(&c.pages, u, KindPage)
}

// script queues a script reference; one on another origin is only counted.
func (c *crawler) script(base *url.URL, ref string) {
	u, err := base.Parse(strings.TrimSpace(ref))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	if !c.sameOrigin(u) {
		u.Fragment = ""
		c.crossOriginScripts[u.String()] = true
		return
	}
	c.enqueue(&c.assets, u, scriptKind(u))
}

func scriptKind(u *url.URL) string {
	switch path.Base(u.Path) {
	case "_buildManifest.js", "_ssgManifest.js":
		return KindBuildManifest
	}
	return KindScript
}

// findChunks queues the Next.js chunks referenced in text. Paths relative to /_next/ are only
// taken from build manifests, where that is their meaning.
func (c *crawler) findChunks(text []byte, manifest bool) {
	for _, m := range nextChunkRE.FindAll(text, -1) {
		c.script(c.origin, string(m))
	}
	if manifest {
		for _, m := range nextRelChunkRE.FindAllSubmatch(text, -1) {
			c.script(c.origin, "/_next/"+string(m[1]))
		}
	}
}

func (c *crawler) visitAsset(j job) {
	status, _, body, ok := c.get(j.url)
	if !ok {
		return
	}
	if status < 200 || status > 299 {
		return
	}
	if j.kind == KindSourceMap && !json.Valid(body) {
		return
	}
	c.out.Assets = append(c.out.Assets, Asset{URL: j.url, Kind: j.kind, Body: body})
	if j.kind == KindSourceMap {
		return
	}
	c.findChunks(body, j.kind == KindBuildManifest)
	if j.kind == KindScript {
		if u, err := url.Parse(j.url); err == nil {
			c.sourceMaps(u, body)
		}
	}
}

// sourceMaps queues the source map a script names, decodes an inline one, and queues the
// script URL + ".map" guess.
func (c *crawler) sourceMaps(script *url.URL, body []byte) {
	if ms := sourceMapRE.FindAllSubmatch(body, -1); len(ms) > 0 {
		ref := string(ms[len(ms)-1][1])
		if strings.HasPrefix(ref, "data:") {
			if data, ok := decodeDataURL(ref); ok && json.Valid(data) {
				c.out.Assets = append(c.out.Assets, Asset{URL: script.String() + " (inline source map)", Kind: KindSourceMap, Body: data})
			}
		} else if u, err := script.Parse(ref); err == nil && c.sameOrigin(u) {
			c.enqueue(&c.assets, u, KindSourceMap)
		}
	}
	guess := *script
	guess.RawQuery, guess.Fragment = "", ""
	guess.Path += ".map"
	guess.RawPath = ""
	c.enqueue(&c.guesses, &guess, KindSourceMap)
}

// decodeDataURL decodes a base64 or plain data: URL.
func decodeDataURL(ref string) ([]byte, bool) {
	meta, data, ok := strings.Cut(strings.TrimPrefix(ref, "data:"), ",")
	if !ok {
		return nil, false
	}
	if strings.HasSuffix(meta, ";base64") {
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(data)
		}
		return b, err == nil
	}
	s, err := url.PathUnescape(data)
	return []byte(s), err == nil
}

// enqueue adds u to q unless it was queued before (by any queue).
func (c *crawler) enqueue(q *[]job, u *url.URL, kind string) {
	v := *u
	v.Fragment, v.RawFragment = "", ""
	v.Scheme = strings.ToLower(v.Scheme)
	v.Host = strings.ToLower(v.Host)
	if v.Path == "" {
		v.Path = "/"
	}
	key := v.String()
	if c.queued[key] {
		return
	}
	c.queued[key] = true
	*q = append(*q, job{url: key, kind: kind})
}

func (c *crawler) sameOrigin(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, c.origin.Scheme) &&
		strings.EqualFold(u.Hostname(), c.origin.Hostname()) &&
		effectivePort(u) == effectivePort(c.origin)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

func (c *crawler) originString() string {
	return c.origin.Scheme + "://" + c.origin.Host
}
