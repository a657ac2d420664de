package session

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"regress/config"
)

func target(url string) *config.Target {
	return &config.Target{Name: "t", BaseURL: url, Timeouts: config.Timeouts{Request: 2 * time.Second}, MaxBodyBytes: 1024}
}

func TestRetriesOnlyIdempotentRequestsOnGatewayErrors(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	s, err := New(target(srv.URL), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var attempts int
	s.OnExchange = func(string, string, *Response, error) { attempts++ }
	resp, err := s.Do(context.Background(), "GET", "/x", nil, "")
	if err != nil || resp.Status != 200 || attempts != 3 {
		t.Fatalf("GET after two 503s: status %v err %v attempts %d; want 200 after 3 attempts, each in the transcript", resp, err, attempts)
	}
	hits.Store(0)
	resp, err = s.Do(context.Background(), "POST", "/x", []byte("{}"), "application/json")
	if err != nil || resp.Status != http.StatusServiceUnavailable || hits.Load() != 1 {
		t.Fatalf("POST: status %v, %d hits; want the 503 after exactly one attempt", resp, hits.Load())
	}
}

func TestBodyIsCutAtTheCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 5000)))
	}))
	defer srv.Close()
	s, _ := New(target(srv.URL), nil, nil)
	resp, err := s.Do(context.Background(), "GET", "/", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != 1024 || !resp.Truncated {
		t.Fatalf("body %d bytes, truncated %v; want 1024 and true", len(resp.Body), resp.Truncated)
	}
}

func TestRefusesOtherOriginsAndDoesNotFollowRedirects(t *testing.T) {
	var otherHits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { otherHits.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}))
	defer srv.Close()
	s, _ := New(target(srv.URL), nil, nil)
	s.SetBearer("secret-token")
	if _, err := s.Do(context.Background(), "GET", other.URL+"/x", nil, ""); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("request to another origin: err %v, want a refusal", err)
	}
	resp, err := s.Do(context.Background(), "GET", "/", nil, "")
	if err != nil || resp.Status != http.StatusFound {
		t.Fatalf("redirect: %v %v; want the 302 itself", resp, err)
	}
	if otherHits.Load() != 0 {
		t.Fatalf("the other host got %d requests; credentials must never follow a redirect", otherHits.Load())
	}
}
