package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Context is one browser context of the shared browser: its own cookies, storage and cache, like
// a separate incognito profile. It has at most one tab at a time. Its methods run one at a time.
type Context struct {
	b  *Browser
	id cdp.BrowserContextID

	mu     sync.Mutex // serializes the operations, which share the tab
	closed bool
	tab    *tab // the current tab; nil before the first visit
	// failing are URL patterns (Fetch wildcards) that tabs opened from now on answer with an
	// injected 500, as a broken backend would.
	failing []string
}

// FailRequests makes every page opened later in this context get an HTTP 500 with a JSON error
// body for requests whose URL matches pattern ("*" matches any run of characters, "?" one), so
// a scenario can see how a page behaves when its API fails during the load.
func (c *Context) FailRequests(pattern string) error {
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	c.failing = append(c.failing, pattern)
	return nil
}

// NewContext creates a new browser context, starting the browser if needed. ctx bounds the start
// and the creation, not the Context's life; release it with Close.
func (b *Browser) NewContext(ctx context.Context) (*Context, error) {
	if err := b.Start(ctx); err != nil {
		return nil, err
	}
	actx, cancel := b.actionContext(ctx, b.browserCtx)
	defer cancel()
	// Disposed by Chromium when our connection drops, should Close never run.
	res, err := chromedp.CallBrowser(actx, target.CreateBrowserContext,
		target.CreateBrowserContextParams{DisposeOnDetach: new(true)})
	if err != nil {
		return nil, fmt.Errorf("creating a browser context: %w", err)
	}
	c := &Context{b: b, id: res.BrowserContextID}
	if err := b.register(c); err != nil {
		c.dispose()
		return nil, err
	}
	return c, nil
}

// Close closes the tab and disposes the browser context with its cookies and storage. It is safe to
// call more than once.
func (c *Context) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.closeTab()
	c.dispose()
	c.b.unregister(c)
}

func (c *Context) dispose() {
	ctx, cancel := context.WithTimeout(c.b.browserCtx, c.b.opts.ActionTimeout)
	defer cancel()
	// An error means the browser is gone, and the context with it.
	_, _ = chromedp.CallBrowser(ctx, target.DisposeBrowserContext,
		target.DisposeBrowserContextParams{BrowserContextID: c.id})
}

// lock takes the Context for one operation; it fails once the Context or its Browser is closed.
func (c *Context) lock() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// SetCookies stores cookies in this browser context only. A cookie without Domain gets the host of
// pageURL (host-only), one without Path gets "/", and Expires/MaxAge are kept (none = session
// cookie; MaxAge < 0 deletes it). Other contexts never see these cookies.
func (c *Context) SetCookies(ctx context.Context, cookies []*http.Cookie, pageURL string) error {
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	if _, err := parseHTTPURL(pageURL); err != nil {
		return err
	}
	params := make([]*network.CookieParam, 0, len(cookies))
	for _, hc := range cookies {
		params = append(params, cookieParam(hc, pageURL))
	}
	return c.setCookies(ctx, params)
}

func (c *Context) setCookies(ctx context.Context, params []*network.CookieParam) error {
	actx, cancel := c.b.actionContext(ctx, c.b.browserCtx)
	defer cancel()
	_, err := chromedp.CallBrowser(actx, storage.SetCookies,
		storage.SetCookiesParams{Cookies: params, BrowserContextID: c.id})
	if err != nil {
		return fmt.Errorf("setting cookies: %w", err)
	}
	return nil
}

// Cookies returns the cookies of this browser context that a request to pageURL would carry:
// domain, path and the Secure flag are matched as a browser does.
func (c *Context) Cookies(ctx context.Context, pageURL string) ([]*http.Cookie, error) {
	if err := c.lock(); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	u, err := parseHTTPURL(pageURL)
	if err != nil {
		return nil, err
	}
	all, err := c.allCookies(ctx)
	if err != nil {
		return nil, err
	}
	var out []*http.Cookie
	for _, ck := range all {
		if cookieMatches(ck, u) {
			out = append(out, httpCookie(ck))
		}
	}
	return out, nil
}

// DeleteCookie removes the cookies named name that a request to pageURL would carry; the other
// cookies stay. Deleting a cookie that does not exist is not an error.
func (c *Context) DeleteCookie(ctx context.Context, name, pageURL string) error {
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	u, err := parseHTTPURL(pageURL)
	if err != nil {
		return err
	}
	all, err := c.allCookies(ctx)
	if err != nil {
		return err
	}
	var expired []*network.CookieParam
	for _, ck := range all {
		if ck.Name != name || !cookieMatches(ck, u) {
			continue
		}
		// Storing an already expired cookie with the same name, domain and path removes it.
		p := &network.CookieParam{
			Name: ck.Name, Value: "", URL: pageURL, Path: ck.Path,
			Secure: ck.Secure, HTTPOnly: ck.HTTPOnly, SameSite: ck.SameSite,
			Expires:      1,
			PartitionKey: ck.PartitionKey,
		}
		if strings.HasPrefix(ck.Domain, ".") {
			p.Domain = ck.Domain
		}
		expired = append(expired, p)
	}
	if len(expired) == 0 {
		return nil
	}
	return c.setCookies(ctx, expired)
}

func (c *Context) allCookies(ctx context.Context) ([]*network.Cookie, error) {
	actx, cancel := c.b.actionContext(ctx, c.b.browserCtx)
	defer cancel()
	res, err := chromedp.CallBrowser(actx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: c.id})
	if err != nil {
		return nil, fmt.Errorf("reading cookies: %w", err)
	}
	return res.Cookies, nil
}

func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("page url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("page url %q: not an absolute http(s) url", raw)
	}
	return u, nil
}

// cookieParam converts a Go cookie for Chromium. pageURL supplies the defaults of the domain,
// the scheme and the port.
func cookieParam(hc *http.Cookie, pageURL string) *network.CookieParam {
	p := &network.CookieParam{
		Name: hc.Name, Value: hc.Value, URL: pageURL,
		Domain: hc.Domain, Path: hc.Path,
		Secure: hc.Secure, HTTPOnly: hc.HttpOnly,
	}
	if p.Path == "" {
		// A session cookie injected by a test is meant for the whole site, not for the
		// directory of pageURL that the browser would default to.
		p.Path = "/"
	}
	switch hc.SameSite {
	case http.SameSiteLaxMode:
		p.SameSite = network.CookieSameSiteLax
	case http.SameSiteStrictMode:
		p.SameSite = network.CookieSameSiteStrict
	case http.SameSiteNoneMode:
		p.SameSite = network.CookieSameSiteNone
	}
	switch {
	case hc.MaxAge < 0:
		p.Expires = 1
	case hc.MaxAge > 0:
		p.Expires = cdp.TimeSinceEpoch(time.Now().Add(time.Duration(hc.MaxAge) * time.Second).Unix())
	case !hc.Expires.IsZero():
		p.Expires = cdp.TimeSinceEpoch(hc.Expires.Unix())
	}
	return p
}

// httpCookie converts a Chromium cookie to Go. Domain loses its leading dot, as net/http writes it.
func httpCookie(ck *network.Cookie) *http.Cookie {
	hc := &http.Cookie{
		Name: ck.Name, Value: ck.Value,
		Domain: strings.TrimPrefix(ck.Domain, "."), Path: ck.Path,
		Secure: ck.Secure, HttpOnly: ck.HTTPOnly,
	}
	if !ck.Session && ck.Expires > 0 {
		hc.Expires = time.Unix(int64(ck.Expires), 0)
	}
	switch ck.SameSite {
	case network.CookieSameSiteLax:
		hc.SameSite = http.SameSiteLaxMode
	case network.CookieSameSiteStrict:
		hc.SameSite = http.SameSiteStrictMode
	case network.CookieSameSiteNone:
		hc.SameSite = http.SameSiteNoneMode
	}
	return hc
}

// cookieMatches reports whether a request to u carries ck (RFC 6265 domain and path matching).
// Chromium reports a host-only cookie's domain without a leading dot.
func cookieMatches(ck *network.Cookie, u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	domain := strings.ToLower(ck.Domain)
	if d, ok := strings.CutPrefix(domain, "."); ok {
		if host != d && !strings.HasSuffix(host, domain) {
			return false
		}
	} else if host != domain {
		return false
	}
	if ck.Secure && u.Scheme != "https" && !isLoopback(host) {
		return false
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	cp := ck.Path
	if cp == "" {
		cp = "/"
	}
	return p == cp || strings.HasPrefix(p, cp) && (strings.HasSuffix(cp, "/") || p[len(cp)] == '/')
}

// isLoopback reports hosts that Chromium treats as secure origins even over http.
func isLoopback(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost") ||
		strings.HasPrefix(host, "127.") || host == "::1" || host == "[::1]"
}
