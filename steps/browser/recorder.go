package browser

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
)

// entry is one recorded response, waiting for its body to be read.
type entry struct {
	id       network.RequestID
	resp     NetResponse
	redirect bool   // a 3xx answer that the request followed; it has no body
	finished bool   // LoadingFinished arrived: the body can be read
	failed   string // LoadingFailed's error text
	inline   bool   // the body came with the event (a WebSocket frame): nothing to read
}

// recorder keeps a tab's network and loading events. Its handle method runs in chromedp's event
// loop of the tab, so it only records under the mutex and never sends a command.
type recorder struct {
	mu        sync.Mutex
	mainFrame cdp.FrameID
	entries   []entry
	byID      map[network.RequestID]int    // index in entries of the latest response of a request
	methods   map[network.RequestID]string // of the request as last sent (redirects can change it)
	urls      map[network.RequestID]string
	fromCache map[network.RequestID]bool
	inflight  map[network.RequestID]bool
	requested []string // every URL the tab requested since the last takeRequests, in order
	// answered holds when each in-flight request got its response headers. Chromium may never
	// finish loading a fetch whose body the page does not read (a script that gives up on a
	// 401), so such a request stops counting as busy idleQuiet after its headers arrived.
	answered  map[network.RequestID]time.Time
	loading   bool      // the main frame started loading and has not stopped
	lastEvent time.Time // last change of inflight or loading
	docStatus int       // status of the main frame's last document response
	docURL    string
}

func newRecorder() *recorder {
	return &recorder{
		byID:      make(map[network.RequestID]int),
		methods:   make(map[network.RequestID]string),
		urls:      make(map[network.RequestID]string),
		fromCache: make(map[network.RequestID]bool),
		inflight:  make(map[network.RequestID]bool),
		answered:  make(map[network.RequestID]time.Time),
	}
}

func (r *recorder) setMainFrame(id cdp.FrameID) {
	r.mu.Lock()
	r.mainFrame = id
	r.mu.Unlock()
}

// handle records one event of the tab.
func (r *recorder) handle(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.RedirectResponse != nil {
			// The same request id continues to the redirect target, maybe with another method.
			r.add(entry{id: ev.RequestID, redirect: true,
				resp: netResponse(ev.RedirectResponse, r.methods[ev.RequestID], ev.Type, false)})
		}
		if ev.Request != nil {
			r.methods[ev.RequestID] = ev.Request.Method
			r.urls[ev.RequestID] = ev.Request.URL
			// A redirect's target is a request of its own, with the same request id.
			r.requested = append(r.requested, ev.Request.URL)
		}
		// An event stream stays open for good; it must not keep the page from settling.
		if ev.Type != network.ResourceTypeEventSource {
			r.inflight[ev.RequestID] = true
			r.lastEvent = now
		}
	case *network.EventWebSocketCreated:
		r.urls[ev.RequestID] = ev.URL
		r.requested = append(r.requested, ev.URL)
	case *network.EventWebSocketFrameReceived:
		// Realtime pushes (Supabase channels and the like) carry data too: each frame is a
		// response of its own for the leak sentinel.
		if ev.Response != nil {
			r.entries = append(r.entries, entry{id: ev.RequestID, inline: true, finished: true, resp: NetResponse{
				URL: r.urls[ev.RequestID], Method: "GET", Status: 101, Type: "WebSocket", Body: ev.Response.PayloadData,
			}})
		}
	case *network.EventRequestServedFromCache:
		r.fromCache[ev.RequestID] = true
	case *network.EventResponseReceived:
		if ev.Response == nil {
			return
		}
		if r.inflight[ev.RequestID] {
			r.answered[ev.RequestID] = now
		}
		fromCache := r.fromCache[ev.RequestID]
		r.add(entry{id: ev.RequestID, resp: netResponse(ev.Response, r.methods[ev.RequestID], ev.Type, fromCache)})
		if ev.Type == network.ResourceTypeDocument && (ev.FrameID == r.mainFrame || r.mainFrame == "") {
			r.docStatus = int(ev.Response.Status)
			r.docURL = ev.Response.URL
		}
	case *network.EventLoadingFinished:
		if i, ok := r.byID[ev.RequestID]; ok {
			r.entries[i].finished = true
		}
		delete(r.inflight, ev.RequestID)
		delete(r.answered, ev.RequestID)
		r.lastEvent = now
	case *network.EventLoadingFailed:
		if i, ok := r.byID[ev.RequestID]; ok {
			r.entries[i].failed = ev.ErrorText
		} else if ev.Type != network.ResourceTypeEventSource {
			// No response at all (refused, blocked, aborted): still a trace of the request.
			r.add(entry{id: ev.RequestID, failed: ev.ErrorText, resp: NetResponse{
				URL: r.urls[ev.RequestID], Method: r.methods[ev.RequestID], Type: string(ev.Type)}})
		}
		delete(r.inflight, ev.RequestID)
		delete(r.answered, ev.RequestID)
		r.lastEvent = now
	case *page.EventFrameStartedLoading:
		if ev.FrameID == r.mainFrame {
			r.loading = true
			r.lastEvent = now
		}
	case *page.EventFrameStoppedLoading:
		if ev.FrameID == r.mainFrame {
			r.loading = false
			r.lastEvent = now
		}
	}
}

// add appends e; the caller holds the mutex.
func (r *recorder) add(e entry) {
	r.byID[e.id] = len(r.entries)
	r.entries = append(r.entries, e)
}

// idle reports whether the main frame is not loading and no request has been in flight for
// idleQuiet, counting from since at the earliest.
func (r *recorder) idle(since, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loading {
		return false
	}
	quietFrom := r.lastEvent
	for id := range r.inflight {
		at, ok := r.answered[id]
		if !ok {
			return false
		}
		if at.After(quietFrom) {
			quietFrom = at
		}
	}
	if since.After(quietFrom) {
		quietFrom = since
	}
	return now.Sub(quietFrom) >= idleQuiet
}

// take returns the entries recorded since the previous take and forgets them.
func (r *recorder) take() []entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.entries
	r.entries = nil
	clear(r.byID)
	return out
}

// takeRequests returns the URLs requested since the previous call and forgets them.
func (r *recorder) takeRequests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.requested
	r.requested = nil
	return out
}

// document returns the status and URL of the main frame's last document response.
func (r *recorder) document() (int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.docStatus, r.docURL
}

// netResponse converts a protocol response; the body is filled in later.
func netResponse(resp *network.Response, method string, typ network.ResourceType, fromCache bool) NetResponse {
	return NetResponse{
		URL:       resp.URL,
		Method:    method,
		Status:    int(resp.Status),
		MIMEType:  resp.MimeType,
		Type:      string(typ),
		Header:    httpHeader(resp.Headers),
		FromCache: fromCache || resp.FromDiskCache || resp.FromPrefetchCache || resp.FromServiceWorker,
	}
}

// httpHeader converts protocol headers. Chromium joins repeated headers (Set-Cookie) with newlines.
func httpHeader(h network.Headers) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		for line := range strings.SplitSeq(s, "\n") {
			out.Add(k, line)
		}
	}
	return out
}
