// Package session is the HTTP side of an identity: one resty client and cookie jar per account
// (and one for the anonymous visitor), logging in with the account's strategy, and bounded,
// same-origin requests.
package session

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"

	"regress/config"
)

// Anonymous is the name of the session without an account.
const Anonymous = "anonymous"

// Session is one identity's HTTP client.
type Session struct {
	Name    string
	Account *config.Account // nil for the anonymous session
	target  *config.Target
	base    *url.URL
	client  *resty.Client
	limiter *rate.Limiter
	// invalidated is set once the session has been logged out or tampered with: from then on
	// every account's fingerprints, its own included, are foreign to it.
	invalidated bool
	// OnExchange, when set, sees every exchange of the session (and transport failures, with
	// a nil response), for the scenario's transcript.
	OnExchange func(method, url string, resp *Response, err error)
}

// Response is what one request got back. Body holds at most the target's max_body_bytes.
type Response struct {
	Method    string
	URL       string
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	Duration  time.Duration
	// Sent is the request's URL and body, for the leak sentinel's echo rule.
	Sent string
	// RequestHeader and RequestBody are what was sent, for the transcript (redacted before writing).
	RequestHeader http.Header
	RequestBody   []byte
}

// Describe is "GET http://host/path".
func (r *Response) Describe() string { return r.Method + " " + r.URL }

// New returns a session for acct (nil for anonymous) against the target. limiter may be nil.
func New(t *config.Target, acct *config.Account, limiter *rate.Limiter) (*Session, error) {
	base, err := url.Parse(t.BaseURL)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("target %q: base URL %q is not an absolute URL", t.Name, t.BaseURL)
	}
	c := resty.New().
		SetTimeout(t.Timeouts.Request).
		SetRetryCount(0).
		// Redirects are answers to assert on ("redirects to login"), and following them could
		// carry credentials to another host.
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		})).
		SetDoNotParseResponse(true).
		SetHeader("User-Agent", "regress")
	if t.InsecureTLS {
		c.SetTLSClientConfig(&tls.Config{InsecureSkipVerify: true}) //nolint:gosec // opted in per target
	}
	name := Anonymous
	if acct != nil {
		name = acct.Name
	}
	return &Session{Name: name, Account: acct, target: t, base: base, client: c, limiter: limiter}, nil
}

// Invalidated reports whether the session was logged out or tampered with.
func (s *Session) Invalidated() bool { return s.invalidated }

// Invalidate marks the session as no longer belonging to its account (see Invalidated).
func (s *Session) Invalidate() { s.invalidated = true }

// Owner is the account whose data the session may see: "" for anonymous or invalidated sessions.
func (s *Session) Owner() string {
	if s.Account == nil || s.invalidated {
		return ""
	}
	return s.Account.Name
}

// resolve turns a path (or a same-origin absolute URL) into an absolute URL on the target.
func (s *Session) resolve(pathOrURL string) (string, error) {
	u, err := url.Parse(pathOrURL)
	if err != nil {
		return "", fmt.Errorf("bad request path %q: %w", pathOrURL, err)
	}
	if u.IsAbs() || u.Host != "" {
		if u.Scheme != s.base.Scheme || u.Host != s.base.Host {
			return "", fmt.Errorf("refusing to send %s's credentials to %s: only the target's origin %s://%s is allowed", s.Name, u.Host, s.base.Scheme, s.base.Host)
		}
		return u.String(), nil
	}
	if !strings.HasPrefix(pathOrURL, "/") {
		return "", fmt.Errorf("request path %q must start with \"/\"", pathOrURL)
	}
	return strings.TrimSuffix(s.base.String(), "/") + pathOrURL, nil
}

// Do sends one request and reads at most the target's max_body_bytes of the answer.
// Non-2xx answers are not errors; transport failures are, naming the URL and the cause.
func (s *Session) Do(ctx context.Context, method, pathOrURL string, body []byte, contentType string) (*Response, error) {
	return s.DoWithHeaders(ctx, method, pathOrURL, body, contentType, nil)
}

// DoWithHeaders is Do with extra request headers; an empty value sends no such header.
func (s *Session) DoWithHeaders(ctx context.Context, method, pathOrURL string, body []byte, contentType string, headers map[string]string) (*Response, error) {
	full, err := s.resolve(pathOrURL)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		resp, err := s.attempt(ctx, method, full, body, contentType, headers)
		s.report(method, full, resp, err)
		if attempt >= len(retryBackoff) || !retryable(method, resp, err) || ctx.Err() != nil {
			return resp, err
		}
		select {
		case <-ctx.Done():
			return resp, err
		case <-time.After(retryBackoff[attempt]):
		}
	}
}

// retryBackoff is the wait before each retry; its length bounds the retries.
var retryBackoff = []time.Duration{200 * time.Millisecond, 600 * time.Millisecond}

// retryable reports whether a failed attempt may be repeated: only requests without side effects,
// only on a refused/reset connection or a 502/503/504, never on a timeout (time is bounded) and
// never because an assertion or the leak sentinel failed — a leak is never "flaky".
func retryable(method string, resp *Response, err error) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return false
	}
	if err != nil {
		// Only a connection the target refused or dropped: a timeout, a certificate or name
		// problem, or a cancelled run would only fail again.
		return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	}
	switch resp.Status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// errNotRetried marks failures that a retry cannot mend (waiting for the rate limit).
var errNotRetried = errors.New("not retried")

// attempt sends one request and reads at most the target's max_body_bytes of the answer.
func (s *Session) attempt(ctx context.Context, method, full string, body []byte, contentType string, headers map[string]string) (*Response, error) {
	if s.limiter != nil {
		if err := s.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("%s %s: waiting for the rate limit: %w (%w)", method, full, err, errNotRetried)
		}
	}
	req := s.client.R().SetContext(ctx)
	for k, v := range headers {
		if v != "" {
			req.SetHeader(k, v)
		}
	}
	if body != nil {
		req.SetBody(body)
		if contentType != "" {
			req.SetHeader("Content-Type", contentType)
		}
	}
	start := time.Now()
	resp, err := req.Execute(method, full)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, full, s.cause(ctx, err))
	}
	raw := resp.RawBody()
	// Closing without draining drops the connection: the rest of a huge body is never read.
	defer raw.Close()
	limit := s.target.MaxBodyBytes
	if limit <= 0 {
		limit = 10 << 20
	}
	data, err := io.ReadAll(io.LimitReader(raw, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the body: %w", method, full, s.cause(ctx, err))
	}
	truncated := int64(len(data)) > limit
	if truncated {
		data = data[:limit]
	}
	out := &Response{
		Method: method, URL: full, Status: resp.StatusCode(), Header: resp.Header(),
		Body: data, Truncated: truncated, Duration: time.Since(start),
		Sent:          full + "\n" + string(body),
		RequestHeader: resp.Request.Header.Clone(),
		RequestBody:   body,
	}
	if raw := resp.Request.RawRequest; raw != nil {
		out.RequestHeader = raw.Header.Clone()
	}
	return out, nil
}

func (s *Session) report(method, url string, resp *Response, err error) {
	if s.OnExchange != nil {
		s.OnExchange(method, url, resp, err)
	}
}

// cause is a transport failure as the user needs it: without the url.Error wrapper, and saying
// which bound stopped the request — the request's own timeout (timeouts.request), or the cause
// its context was cancelled with (the run's --timeout, an interrupt).
func (s *Session) cause(ctx context.Context, err error) error {
	err = transportCause(err)
	if ctx.Err() != nil {
		c := context.Cause(ctx)
		switch {
		case c == nil || c == ctx.Err():
			return err
		case strings.Contains(err.Error(), c.Error()): // net/http may report the cause itself
			return fmt.Errorf("stopped, %w", err)
		}
		return fmt.Errorf("stopped, %v: %w", c, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out after timeouts.request (%s): %w", s.target.Timeouts.Request, err)
	}
	return err
}

// transportCause strips the url.Error wrapper, whose text repeats the method and URL.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// SetBearer makes every later request carry the token ("" sends none).
func (s *Session) SetBearer(token string) { s.client.SetAuthToken(token) }

// Bearer is the session's bearer token, or "".
func (s *Session) Bearer() string { return s.client.Token }

// Cookies returns the session's cookies for the target's origin.
func (s *Session) Cookies() []*http.Cookie {
	jar := s.client.GetClient().Jar
	if jar == nil {
		return nil
	}
	return jar.Cookies(s.base)
}

// SetCookies stores cookies for the target's origin.
func (s *Session) SetCookies(cookies []*http.Cookie) {
	if jar := s.client.GetClient().Jar; jar != nil {
		jar.SetCookies(s.base, cookies)
	}
}

// Base is the target's base URL.
func (s *Session) Base() *url.URL { return s.base }
