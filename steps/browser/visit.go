package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// idleQuiet is how long no request may be in flight before a page counts as settled.
const idleQuiet = 500 * time.Millisecond

// NetResponse is one response that a tab received.
type NetResponse struct {
	URL, Method string
	Status      int
	MIMEType    string
	// Type is the resource type: Document, XHR, Fetch, Script, Stylesheet, Image, Font, ...
	Type   string
	Header http.Header
	// Body is nil when it could not be read (BodyErr says why). Bodies of images, fonts and media
	// are not read, nor those of redirects, which have none.
	Body    []byte
	BodyErr string
	// Unread is set when a body that can carry data could not be read: nobody can vouch for
	// what it held. (Redirects, failed loads, images, fonts, media and event streams are not.)
	Unread    bool
	FromCache bool
}

// Visit is what one page visit produced.
type Visit struct {
	// RequestedURL is the URL asked for; FinalURL is where the tab ended, after redirects and
	// script navigation.
	RequestedURL, FinalURL string
	// Status is the status of the main document's response, 0 if unknown. 4xx and 5xx are not errors.
	Status int
	// DOM is document.documentElement.outerHTML once the page settled.
	DOM string
	// Text is document.body.innerText.
	Text string
	// Responses are the responses the tab received during the visit, in order of arrival,
	// redirects included.
	Responses []NetResponse
	// Requests are the URLs of every request the tab sent during the visit, answered or not.
	Requests []string
}

// tab is a Context's current tab: a chromedp context and the recorder of its network events.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc
	rec    *recorder
}

// closeTab closes the current tab, if any. Its bodies are gone afterwards.
func (c *Context) closeTab() {
	if c.tab != nil {
		c.tab.cancel()
		c.tab = nil
	}
}

// openTab opens a new tab in this browser context, recording its network events from the start.
func (c *Context) openTab(ctx context.Context) (*tab, error) {
	rec := newRecorder()
	// Paused requests are answered outside the listener: commands from inside it deadlock.
	paused := make(chan fetch.RequestID, 64)
	listen := rec.handle
	if len(c.failing) > 0 {
		listen = func(ev any) {
			rec.handle(ev)
			if p, ok := ev.(*fetch.EventRequestPaused); ok {
				select {
				case paused <- p.RequestID:
				default: // cannot happen with a page's handful of API calls; the request then times out
				}
			}
		}
	}
	tctx, cancel := chromedp.NewContext(c.b.browserCtx,
		chromedp.WithExistingBrowserContext(c.id),
		chromedp.WithListener(listen))

	// The first Do binds the tab's life to its context, so it gets the un-timed tab context and
	// the wait is bounded here instead.
	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(tctx) }()
	timer := time.NewTimer(c.b.opts.ActionTimeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-errc:
	case <-timer.C:
		err = fmt.Errorf("no answer after %v", c.b.opts.ActionTimeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("opening a tab: %w", err)
	}
	t := &tab{ctx: tctx, cancel: cancel, rec: rec}
	rec.setMainFrame(cdp.FrameID(chromedp.FromContext(tctx).Target.TargetID))

	// chromedp enabled the Network domain with Chromium's default buffers; larger ones keep the
	// bodies of big responses until we read them.
	actx, acancel := c.b.actionContext(ctx, tctx)
	defer acancel()
	_, err = chromedp.Call(actx, network.Enable, network.EnableParams{
		MaxTotalBufferSize:    new(int64(256 << 20)),
		MaxResourceBufferSize: new(int64(64 << 20)),
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("enabling network capture: %w", err)
	}
	if len(c.failing) > 0 {
		if err := c.injectFailures(actx, tctx, paused); err != nil {
			cancel()
			return nil, err
		}
	}
	return t, nil
}

// injectFailures pauses the requests matching the context's failing patterns and answers each
// with a 500, for as long as the tab lives.
func (c *Context) injectFailures(actx, tctx context.Context, paused <-chan fetch.RequestID) error {
	patterns := make([]*fetch.RequestPattern, 0, len(c.failing))
	for _, p := range c.failing {
		patterns = append(patterns, &fetch.RequestPattern{URLPattern: p})
	}
	if _, err := chromedp.Call(actx, fetch.Enable, fetch.EnableParams{Patterns: patterns}); err != nil {
		return fmt.Errorf("enabling request interception: %w", err)
	}
	go func() {
		for {
			select {
			case <-tctx.Done():
				return
			case id := <-paused:
				fctx, cancel := context.WithTimeout(tctx, c.b.opts.ActionTimeout)
				_, _ = chromedp.Call(fctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
					RequestID:       id,
					ResponseCode:    500,
					ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}},
					Body:            []byte(`{"error":"injected by regress: the backend failed"}`),
				})
				cancel()
			}
		}
	}()
	return nil
}

// replaceTab closes the current tab and opens a new one as the current tab; the caller holds c.mu.
func (c *Context) replaceTab(ctx context.Context) (*tab, error) {
	c.closeTab()
	t, err := c.openTab(ctx)
	if err != nil {
		return nil, err
	}
	c.tab = t
	return t, nil
}

// Visit opens pageURL in a new tab of this context (closing the previous tab first), waits for the
// load event and then for the network to be idle (no request in flight for 500ms, waiting at most
// ActionTimeout: a page that never goes idle is captured as it is), reads every response body
// before anything can evict it, then the DOM and the text. A 4xx or 5xx page is a normal Visit;
// only a page that does not load at all (refused, unknown host, timeout) is an error.
func (c *Context) Visit(ctx context.Context, pageURL string) (*Visit, error) {
	if err := c.lock(); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	t, err := c.replaceTab(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.load(ctx, t, chromedp.Navigate(pageURL)); err != nil {
		return nil, fmt.Errorf("visiting %s: %w", pageURL, err)
	}
	v, err := c.capture(ctx, t, pageURL, nil)
	if err != nil {
		return nil, fmt.Errorf("visiting %s: %w", pageURL, err)
	}
	return v, nil
}

// Reload reloads the current tab and captures it like Visit; Responses hold only what the reload
// received. It fails if no page was visited yet.
func (c *Context) Reload(ctx context.Context) (*Visit, error) {
	if err := c.lock(); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	t, err := c.currentTab()
	if err != nil {
		return nil, err
	}
	t.rec.take() // the previous visit's responses and requests were returned already
	t.rec.takeRequests()
	requested, err := c.location(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("reloading: %w", err)
	}
	if err := c.load(ctx, t, chromedp.Reload()); err != nil {
		return nil, fmt.Errorf("reloading %s: %w", requested, err)
	}
	v, err := c.capture(ctx, t, requested, nil)
	if err != nil {
		return nil, fmt.Errorf("reloading %s: %w", requested, err)
	}
	return v, nil
}

// Login opens loginURL in a new tab, types username and password into the inputs that the CSS
// selectors usernameSel and passwordSel find, clicks submitSel, and waits for the resulting
// navigation (if any) and for the network to be idle. The Visit describes the page it lands on;
// its Responses hold the login page's responses followed by those after the click.
func (c *Context) Login(ctx context.Context, loginURL, usernameSel, passwordSel, submitSel, username, password string) (*Visit, error) {
	if err := c.lock(); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	t, err := c.replaceTab(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.load(ctx, t, chromedp.Navigate(loginURL)); err != nil {
		return nil, fmt.Errorf("login at %s: %w", loginURL, err)
	}
	// The submit navigates away, which evicts these bodies: read them now.
	before := c.readBodies(ctx, t, t.rec.take())

	actx, cancel := c.b.actionContext(ctx, t.ctx)
	err = chromedp.Do(actx, fillInput(usernameSel, username), fillInput(passwordSel, password))
	cancel()
	if err != nil {
		return nil, fmt.Errorf("login at %s: filling the form: %w", loginURL, err)
	}
	if err := c.load(ctx, t, chromedp.Click(chromedp.CSS(submitSel))); err != nil {
		return nil, fmt.Errorf("login at %s: submitting: %w", loginURL, err)
	}
	v, err := c.capture(ctx, t, loginURL, before)
	if err != nil {
		return nil, fmt.Errorf("login at %s: %w", loginURL, err)
	}
	return v, nil
}

// fillInput waits until the input that css selects is visible, empties it and types value into it
// key by key, so that the page's scripts see real input events.
func fillInput(css, value string) chromedp.Action[chromedp.Void] {
	sel, _ := json.Marshal(css) // a string always marshals
	// chromedp.SetValue(sel, "") cannot empty a field: the empty argument reaches the page as
	// undefined, and the field then holds "undefined".
	clear := fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = "";
		e.dispatchEvent(new Event("input", {bubbles: true})); })()`, sel)
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(css)),
		chromedp.Evaluate[chromedp.Void](clear),
		chromedp.SendKeys(chromedp.CSS(css), value),
	)
}

// ElementExists reports whether the CSS selector matches an element of the current page. It does
// not wait for the element to appear. An invalid selector is an error.
func (c *Context) ElementExists(ctx context.Context, css string) (bool, error) {
	if err := c.lock(); err != nil {
		return false, err
	}
	defer c.mu.Unlock()
	t, err := c.currentTab()
	if err != nil {
		return false, err
	}
	sel, err := json.Marshal(css)
	if err != nil {
		return false, fmt.Errorf("selector %q: %w", css, err)
	}
	actx, cancel := c.b.actionContext(ctx, t.ctx)
	defer cancel()
	ok, err := chromedp.Run(actx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%s) !== null`, sel)))
	if err != nil {
		return false, fmt.Errorf("looking for %q: %w", css, err)
	}
	return ok, nil
}

// Screenshot returns a PNG of the current tab's viewport. It fails if no page was visited yet.
func (c *Context) Screenshot(ctx context.Context) ([]byte, error) {
	if err := c.lock(); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	t, err := c.currentTab()
	if err != nil {
		return nil, err
	}
	actx, cancel := c.b.actionContext(ctx, t.ctx)
	defer cancel()
	png, err := chromedp.Run(actx, chromedp.CaptureScreenshot())
	if err != nil {
		return nil, fmt.Errorf("taking a screenshot: %w", err)
	}
	return png, nil
}

// CurrentDOM returns document.documentElement.outerHTML of the current tab as it is now. It fails
// if no page was visited yet.
func (c *Context) CurrentDOM(ctx context.Context) (string, error) {
	if err := c.lock(); err != nil {
		return "", err
	}
	defer c.mu.Unlock()
	t, err := c.currentTab()
	if err != nil {
		return "", err
	}
	actx, cancel := c.b.actionContext(ctx, t.ctx)
	defer cancel()
	dom, err := chromedp.Run(actx, chromedp.Evaluate[string](domJS))
	if err != nil {
		return "", fmt.Errorf("reading the DOM: %w", err)
	}
	return dom, nil
}

// errNoTab is returned by the operations on the current page before any visit.
var errNoTab = errors.New("no page open in this browser context: visit one first")

func (c *Context) currentTab() (*tab, error) {
	if c.tab == nil {
		return nil, errNoTab
	}
	return c.tab, nil
}

const (
	domJS  = `document.documentElement ? document.documentElement.outerHTML : ""`
	textJS = `document.body ? document.body.innerText : ""`
)

// load runs trigger (a navigation, a reload or a click) with the action deadline, then waits for
// the page to settle. An HTTP error status is not a load error.
func (c *Context) load(ctx context.Context, t *tab, trigger chromedp.Action[chromedp.Void]) error {
	since := time.Now()
	actx, cancel := c.b.actionContext(ctx, t.ctx)
	err := chromedp.Do(actx, trigger)
	cancel()
	var le *chromedp.LoadError
	if errors.As(err, &le) && strings.Contains(le.ErrorText, "ERR_HTTP_RESPONSE_CODE_FAILURE") {
		// An error status with an empty body: Chromium shows its own error page, but the
		// response itself was received and is what the caller wants to see.
		err = nil
	}
	if err != nil {
		return err
	}
	return c.settle(ctx, t, since)
}

// settle waits until the main frame is not loading and no request has been in flight for
// idleQuiet, counting from since. It gives up quietly after ActionTimeout, since pages that poll
// forever are still worth capturing, and returns an error only when ctx ends.
func (c *Context) settle(ctx context.Context, t *tab, since time.Time) error {
	deadline := time.Now().Add(c.b.opts.ActionTimeout)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		now := time.Now()
		if t.rec.idle(since, now) || now.After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.ctx.Done():
			return fmt.Errorf("tab closed: %w", t.ctx.Err())
		case <-tick.C:
		}
	}
}

// capture reads the bodies of what the tab received since the last take, then the DOM, the text
// and the location, and returns the Visit. earlier are responses of the same visit read before.
func (c *Context) capture(ctx context.Context, t *tab, requested string, earlier []NetResponse) (*Visit, error) {
	entries := t.rec.take()
	v := &Visit{RequestedURL: requested}
	v.Responses = append(earlier, c.readBodies(ctx, t, entries)...)
	v.Requests = t.rec.takeRequests()
	status, docURL := t.rec.document()
	v.Status = status

	actx, cancel := c.b.actionContext(ctx, t.ctx)
	defer cancel()
	var err error
	if v.DOM, err = chromedp.Run(actx, chromedp.Evaluate[string](domJS)); err != nil {
		return nil, fmt.Errorf("reading the DOM: %w", err)
	}
	if v.Text, err = chromedp.Run(actx, chromedp.Evaluate[string](textJS)); err != nil {
		return nil, fmt.Errorf("reading the text: %w", err)
	}
	if v.FinalURL, err = chromedp.Run(actx, chromedp.Location()); err != nil {
		return nil, fmt.Errorf("reading the location: %w", err)
	}
	if strings.HasPrefix(v.FinalURL, "chrome-error:") && docURL != "" {
		// Chromium's error page hides the URL that answered.
		v.FinalURL = docURL
	}
	return v, nil
}

// location returns the URL of the current page.
func (c *Context) location(ctx context.Context, t *tab) (string, error) {
	actx, cancel := c.b.actionContext(ctx, t.ctx)
	defer cancel()
	loc, err := chromedp.Run(actx, chromedp.Location())
	if err != nil {
		return "", fmt.Errorf("reading the location: %w", err)
	}
	return loc, nil
}

// readBodies turns recorded entries into NetResponses, fetching each body with
// network.GetResponseBody. It runs outside the event listener: a command sent from the listener
// would wait for the very loop that runs it. All bodies together get one ActionTimeout.
func (c *Context) readBodies(ctx context.Context, t *tab, entries []entry) []NetResponse {
	actx, cancel := c.b.actionContext(ctx, t.ctx)
	defer cancel()
	out := make([]NetResponse, 0, len(entries))
	for _, e := range entries {
		r := e.resp
		switch {
		case e.inline:
		case e.redirect:
			r.BodyErr = "redirect response: no body"
		case e.failed != "":
			r.BodyErr = "loading failed: " + e.failed
		case skipBody(r.Type):
			r.BodyErr = "body not read for resource type " + r.Type
		default:
			// A response still loading when the page settled (a body the page never reads) is
			// read too: Chromium usually has it; when it does not, BodyErr says so.
			res, err := chromedp.Call(actx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: e.id})
			switch {
			case err != nil && !e.finished:
				r.BodyErr = "still loading when the page settled: " + err.Error()
				r.Unread = r.Type != string(network.ResourceTypeEventSource)
			case err != nil:
				r.BodyErr = err.Error()
				r.Unread = true
			default:
				r.Body = res.Body
				if r.Body == nil {
					r.Body = []byte{}
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// skipBody reports resource types whose bodies cannot carry text a leak check looks for.
func skipBody(typ string) bool {
	switch network.ResourceType(typ) {
	case network.ResourceTypeImage, network.ResourceTypeFont, network.ResourceTypeMedia:
		return true
	}
	return false
}
