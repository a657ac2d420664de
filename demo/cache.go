package demo

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxCacheEntries bounds the shared cache; past it new responses are simply not stored.
const maxCacheEntries = 1000

// sharedCache is the CDN in front of the app. Like a typical edge cache it keys GET responses by
// path and query alone, ignoring cookies, Authorization and Vary, and stores a 200 response only
// when its Cache-Control says public with a positive s-maxage or max-age and neither private,
// no-store nor no-cache (and it sets no cookie). A hit carries `Age` (at least 1) and
// `X-Cache: HIT`; every other GET answer carries `X-Cache: MISS`.
type sharedCache struct {
	next http.Handler
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	status  int
	header  http.Header
	body    []byte
	stored  time.Time
	expires time.Time
}

func newSharedCache(next http.Handler, now func() time.Time) *sharedCache {
	return &sharedCache{next: next, now: now, entries: make(map[string]cacheEntry)}
}

func (c *sharedCache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		c.next.ServeHTTP(w, r)
		return
	}
	key := r.URL.RequestURI()
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && !now.Before(e.expires) {
		delete(c.entries, key)
		ok = false
	}
	c.mu.Unlock()
	if ok {
		h := w.Header()
		for k, v := range e.header {
			h[k] = append([]string(nil), v...)
		}
		age := int(now.Sub(e.stored) / time.Second)
		if age < 1 {
			age = 1
		}
		h.Set("Age", strconv.Itoa(age))
		h.Set("X-Cache", "HIT")
		w.WriteHeader(e.status)
		_, _ = w.Write(e.body)
		return
	}

	rec := &recorder{header: make(http.Header), status: http.StatusOK}
	c.next.ServeHTTP(rec, r)
	if ttl := sharedTTL(rec.status, rec.header); ttl > 0 {
		c.mu.Lock()
		if len(c.entries) < maxCacheEntries {
			c.entries[key] = cacheEntry{
				status:  rec.status,
				header:  rec.header.Clone(),
				body:    bytes.Clone(rec.body.Bytes()),
				stored:  now,
				expires: now.Add(ttl),
			}
		}
		c.mu.Unlock()
	}
	h := w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	h.Set("X-Cache", "MISS")
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// sharedTTL returns how long a shared cache may keep the response; 0 means not at all.
func sharedTTL(status int, h http.Header) time.Duration {
	if status != http.StatusOK || h.Get("Set-Cookie") != "" {
		return 0
	}
	var public bool
	maxAge, sMaxAge := -1, -1
	for _, line := range h.Values("Cache-Control") {
		for _, d := range strings.Split(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "public":
				public = true
			case "private", "no-store", "no-cache":
				return 0
			case "max-age":
				maxAge = atoiOr(value, -1)
			case "s-maxage":
				sMaxAge = atoiOr(value, -1)
			}
		}
	}
	if !public {
		return 0
	}
	secs := maxAge
	if sMaxAge >= 0 {
		secs = sMaxAge
	}
	if secs <= 0 {
		return 0
	}
	return time.Duration(secs) * time.Second
}

func atoiOr(s string, fallback int) int {
	n, err := strconv.Atoi(strings.Trim(s, `"`))
	if err != nil {
		return fallback
	}
	return n
}

// recorder buffers a whole response so the cache can decide on it before the client sees it.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.body.Write(b)
}
