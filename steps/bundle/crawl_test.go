package bundle

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// httpFetcher fetches over HTTP and records every URL it was asked for.
type httpFetcher struct {
	mu   sync.Mutex
	urls []string
}

func (h *httpFetcher) fetch(ctx context.Context, u string) (int, string, []byte, error) {
	h.mu.Lock()
	h.urls = append(h.urls, u)
	h.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", nil, fmt.Errorf("get: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, "", nil, fmt.Errorf("read body: %w", err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, nil
}

// otherOrigin starts a server that must never be asked for anything.
func otherOrigin(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "<html><a href='/more'>more</a></html>")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

type route struct {
	ctype string
	body  string
}

func serve(t *testing.T, routes map[string]route) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := routes[r.URL.Path]
		if !ok {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<html>not found</html>")
			return
		}
		w.Header().Set("Content-Type", rt.ctype)
		io.WriteString(w, rt.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const (
	htmlType = "text/html; charset=utf-8"
	jsType   = "application/javascript"
)

func TestCrawlNextSite(t *testing.T) {
	other, otherHits := otherOrigin(t)
	serviceRole := supabaseJWT(t, "service_role")
	anon := supabaseJWT(t, "anon")
	sourceMap := `{"version":3,"file":"main-abc.js","sources":["webpack://_N_E/./lib/pay.ts"],` +
		`"sourcesContent":["// server helper that slipped into the client\nexport const stripe = '` + sampleStripeLive + `';\n"],"mappings":"AAAA"}`
	routes := map[string]route{
		"/": {htmlType, `<!doctype html><html><head><title>Shop</title>
<script>window.ENV={stripe:"` + sampleStripePub + `",supabase:"` + sampleSupabasePub + `"}</script>
</head><body>
<a href="/pricing">Pricing</a> <a href="/next#top">App</a> <a href="pricing">again</a>
<a href="` + other.URL + `/elsewhere">Partner</a> <a href="mailto:help@shop.test">Mail</a>
<a href="javascript:void(0)">noop</a> <a href="/logo.png">logo</a>
<script src="` + other.URL + `/analytics.js"></script>
</body></html>`},
		"/pricing": {htmlType, `<html><body><a href="/">Home</a><a href="/missing">Gone</a></body></html>`},
		"/next": {htmlType, `<!DOCTYPE html><html><head>
<link rel="preload" as="script" href="/_next/static/chunks/webpack-111.js">
<script src="/_next/static/chunks/main-abc.js" defer></script>
<script src="/_next/static/chunks/pages/_app-222.js" defer></script>
</head><body><div id="__next"></div>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"supabaseAnonKey":"` + anon + `"}},"page":"/next","buildId":"b1ld-XYZ","isFallback":false}</script>
</body></html>`},
		"/_next/static/chunks/webpack-111.js": {jsType, `!function(){var e={};e.p="/_next/";}();`},
		"/_next/static/chunks/main-abc.js": {jsType, `(self.webpackChunk_N_E=self.webpackChunk_N_E||[]).push([[179],{1:function(e,t,n){n.e("/_next/static/chunks/lazy-333.js")}}]);
//# sourceMappingURL=main-abc.js.map`},
		"/_next/static/chunks/main-abc.js.map":     {"application/json", sourceMap},
		"/_next/static/chunks/pages/_app-222.js":   {jsType, `console.log("app");`},
		"/_next/static/chunks/lazy-333.js":         {jsType, `var admin=createClient(url,"` + serviceRole + `");`},
		"/_next/static/b1ld-XYZ/_buildManifest.js": {jsType, `self.__BUILD_MANIFEST={"/":["static/chunks/pages/index-444.js"],"/next":["static/chunks/pages/next-555.js"],sortedPages:["/","/_app"]};self.__BUILD_MANIFEST_CB&&self.__BUILD_MANIFEST_CB();`},
		"/_next/static/b1ld-XYZ/_ssgManifest.js":   {jsType, `self.__SSG_MANIFEST=new Set;self.__SSG_MANIFEST_CB&&self.__SSG_MANIFEST_CB()`},
		"/_next/static/chunks/pages/index-444.js":  {jsType, `var k="` + sampleSupabaseSecret + `";`},
		"/_next/static/chunks/pages/next-555.js":   {jsType, `var x=1;`},
		// A fallback page answering 200 with HTML for a guessed map is not a source map.
		"/_next/static/chunks/pages/next-555.js.map": {htmlType, `<html>app shell</html>`},
	}
	srv := serve(t, routes)
	f := &httpFetcher{}
	c := CrawlSite(context.Background(), f.fetch, CrawlOptions{EntryPages: []string{srv.URL + "/", srv.URL + "/pricing"}})

	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
	for _, u := range f.urls {
		if !strings.HasPrefix(u, srv.URL+"/") {
			t.Errorf("fetched %s, not on the site's origin", u)
		}
	}
	if len(c.Errors) != 0 {
		t.Errorf("errors: %v", c.Errors)
	}

	kinds := map[string]string{}
	for _, a := range c.Assets {
		if prev, dup := kinds[a.URL]; dup {
			t.Errorf("asset %s collected twice (%s, %s)", a.URL, prev, a.Kind)
		}
		kinds[a.URL] = a.Kind
	}
	wantKinds := map[string]string{
		srv.URL + "/":                                        KindPage,
		srv.URL + "/ (inline script 1)":                      KindInlineScript,
		srv.URL + "/pricing":                                 KindPage,
		srv.URL + "/next":                                    KindPage,
		srv.URL + "/next (__NEXT_DATA__)":                    KindNextData,
		srv.URL + "/_next/static/chunks/webpack-111.js":      KindScript,
		srv.URL + "/_next/static/chunks/main-abc.js":         KindScript,
		srv.URL + "/_next/static/chunks/main-abc.js.map":     KindSourceMap,
		srv.URL + "/_next/static/chunks/pages/_app-222.js":   KindScript,
		srv.URL + "/_next/static/chunks/lazy-333.js":         KindScript,
		srv.URL + "/_next/static/b1ld-XYZ/_buildManifest.js": KindBuildManifest,
		srv.URL + "/_next/static/b1ld-XYZ/_ssgManifest.js":   KindBuildManifest,
		srv.URL + "/_next/static/chunks/pages/index-444.js":  KindScript,
		srv.URL + "/_next/static/chunks/pages/next-555.js":   KindScript,
	}
	for u, k := range wantKinds {
		if kinds[u] != k {
			t.Errorf("asset %s: kind %q, want %q", u, kinds[u], k)
		}
	}
	for u := range kinds {
		if _, ok := wantKinds[u]; !ok {
			t.Errorf("unexpected asset %s (%s)", u, kinds[u])
		}
	}
	if !slices.ContainsFunc(c.Notes, func(n string) bool { return strings.Contains(n, "1 scripts on other origins") }) {
		t.Errorf("notes %v do not mention the other origin's script", c.Notes)
	}

	var got []string
	for _, fd := range ScanCrawl(c, nil) {
		got = append(got, fd.Rule+" @ "+strings.TrimPrefix(fd.URL, srv.URL))
		for _, v := range []string{sampleStripeLive, sampleSupabaseSecret, serviceRole} {
			if strings.Contains(fd.String(), v) {
				t.Errorf("finding %v holds a full secret", fd)
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"stripe-secret-key @ /_next/static/chunks/main-abc.js.map (source webpack://_N_E/./lib/pay.ts)",
		"supabase-secret-key @ /_next/static/chunks/pages/index-444.js",
		"supabase-service-role-jwt @ /_next/static/chunks/lazy-333.js",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// chain serves /p/0 ... /p/n-1, each page linking to the next and carrying pad bytes.
func chain(t *testing.T, n, pad int) *httptest.Server {
	routes := map[string]route{}
	for i := range n {
		routes[fmt.Sprintf("/p/%d", i)] = route{htmlType, fmt.Sprintf(`<html><a href="/p/%d">next</a><script src="/s/%d.js"></script><!--%s--></html>`, i+1, i, strings.Repeat("x", pad))}
		routes[fmt.Sprintf("/s/%d.js", i)] = route{jsType, "var a=1;"}
	}
	return serve(t, routes)
}

func countKind(c *Crawl, kind string) int {
	n := 0
	for _, a := range c.Assets {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

func hasNote(c *Crawl, part string) bool {
	return slices.ContainsFunc(c.Notes, func(n string) bool { return strings.Contains(n, part) })
}

func TestCrawlMaxPages(t *testing.T) {
	srv := chain(t, 10, 0)
	f := &httpFetcher{}
	c := CrawlSite(context.Background(), f.fetch, CrawlOptions{EntryPages: []string{srv.URL + "/p/0"}, MaxPages: 3})
	if n := countKind(c, KindPage); n != 3 {
		t.Errorf("%d pages, want 3", n)
	}
	if !hasNote(c, "stopped at 3 pages") {
		t.Errorf("notes %v lack the page limit", c.Notes)
	}
	if n := countKind(c, KindScript); n != 3 {
		t.Errorf("%d scripts, want 3", n)
	}
}

func TestCrawlMaxAssets(t *testing.T) {
	srv := chain(t, 4, 0)
	c := CrawlSite(context.Background(), (&httpFetcher{}).fetch, CrawlOptions{EntryPages: []string{srv.URL + "/p/0"}, MaxAssets: 2})
	if n := countKind(c, KindScript); n != 2 {
		t.Errorf("%d scripts, want 2", n)
	}
	if n := countKind(c, KindPage); n != 4 {
		t.Errorf("%d pages, want 4", n)
	}
	if !hasNote(c, "stopped at 2 assets") {
		t.Errorf("notes %v lack the asset limit", c.Notes)
	}
}

func TestCrawlMaxBytes(t *testing.T) {
	srv := chain(t, 10, 1000)
	f := &httpFetcher{}
	c := CrawlSite(context.Background(), f.fetch, CrawlOptions{EntryPages: []string{srv.URL + "/p/0"}, MaxBytes: 2500})
	// Pages are just over 1000 bytes and scripts 8: the third page starts below the limit and
	// takes the crawl past it; nothing starts after that.
	if n := countKind(c, KindPage); n != 3 || len(f.urls) != 5 {
		t.Errorf("%d pages, %d fetches past the byte limit: %v", n, len(f.urls), f.urls)
	}
	if !hasNote(c, "byte limit") {
		t.Errorf("notes %v lack the byte limit", c.Notes)
	}
	if hasNote(c, "stopped at") && !hasNote(c, "stopped at the byte limit") {
		t.Errorf("notes %v blame another limit", c.Notes)
	}
}

func TestCrawlEntryErrors(t *testing.T) {
	other, otherHits := otherOrigin(t)
	srv := serve(t, map[string]route{"/": {htmlType, "<html>ok</html>"}})
	c := CrawlSite(context.Background(), (&httpFetcher{}).fetch, CrawlOptions{
		EntryPages: []string{srv.URL + "/", srv.URL + "/nope", other.URL + "/"},
	})
	if otherHits.Load() != 0 {
		t.Error("an entry page on another origin was fetched")
	}
	if len(c.Errors) != 2 || !strings.Contains(c.Errors[0], "not on origin") || !strings.Contains(c.Errors[1], "status 404") {
		t.Errorf("errors = %v", c.Errors)
	}
	if c := CrawlSite(context.Background(), (&httpFetcher{}).fetch, CrawlOptions{}); len(c.Errors) != 1 {
		t.Errorf("no entry pages: errors = %v", c.Errors)
	}
	if c := CrawlSite(context.Background(), (&httpFetcher{}).fetch, CrawlOptions{EntryPages: []string{"/relative"}}); len(c.Errors) != 1 {
		t.Errorf("relative entry page: errors = %v", c.Errors)
	}
}

func TestCrawlFetchErrorAndCancel(t *testing.T) {
	failing := func(ctx context.Context, u string) (int, string, []byte, error) {
		return 0, "", nil, fmt.Errorf("connection refused")
	}
	c := CrawlSite(context.Background(), failing, CrawlOptions{EntryPages: []string{"http://127.0.0.1:1/"}})
	if len(c.Errors) != 1 || !strings.Contains(c.Errors[0], "connection refused") {
		t.Errorf("errors = %v", c.Errors)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	counting := func(ctx context.Context, u string) (int, string, []byte, error) {
		calls++
		return 200, htmlType, []byte("<html></html>"), nil
	}
	c = CrawlSite(ctx, counting, CrawlOptions{EntryPages: []string{"http://127.0.0.1:1/"}})
	if calls != 0 || len(c.Errors) != 1 || !strings.Contains(c.Errors[0], "interrupted") {
		t.Errorf("cancelled crawl: %d calls, errors %v", calls, c.Errors)
	}
}

func TestCrawlInlineSourceMapAndBase(t *testing.T) {
	inlineMap := `{"version":3,"sources":["src/admin.ts"],"sourcesContent":["const k = '` + sampleRestricted + `';"],"mappings":""}`
	enc := "data:application/json;charset=utf-8;base64," + base64Std(inlineMap)
	srv := serve(t, map[string]route{
		"/":                  {htmlType, `<html><head><base href="/static/"></head><body><script src="app.js"></script><a href="page">p</a></body></html>`},
		"/static/app.js":     {jsType, "var a=1;\n//# sourceMappingURL=" + enc + "\n"},
		"/static/page":       {htmlType, "<html>page</html>"},
		"/static/app.js.map": {"application/json", `{"version":3,"sources":[],"mappings":""}`},
	})
	c := CrawlSite(context.Background(), (&httpFetcher{}).fetch, CrawlOptions{EntryPages: []string{srv.URL + "/"}})
	kinds := map[string]string{}
	for _, a := range c.Assets {
		kinds[strings.TrimPrefix(a.URL, srv.URL)] = a.Kind
	}
	want := map[string]string{
		"/":                                  KindPage,
		"/static/app.js":                     KindScript,
		"/static/app.js (inline source map)": KindSourceMap,
		"/static/app.js.map":                 KindSourceMap,
		"/static/page":                       KindPage,
	}
	if len(kinds) != len(want) {
		t.Errorf("assets = %v, want %v", kinds, want)
	}
	for u, k := range want {
		if kinds[u] != k {
			t.Errorf("asset %s: kind %q, want %q", u, kinds[u], k)
		}
	}
	fs := ScanCrawl(c, nil)
	if got := rulesFound(fs); !slices.Equal(got, []string{"stripe-restricted-key"}) {
		t.Errorf("findings = %v", fs)
	}
}
