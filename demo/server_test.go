package demo

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStartServesAndCloses(t *testing.T) {
	s, err := Start("127.0.0.1:0", Options{Bugs: Bugs{"idor": true}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %q", s.URL)
	}
	res, err := http.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("healthz = %d %q", res.StatusCode, body)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(s.URL + "/healthz"); err == nil {
		t.Errorf("server still answers after Close")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:8080", "example.com:80", "127.0.0.1"} {
		if s, err := Start(addr, Options{}); err == nil {
			s.Close()
			t.Errorf("Start(%q) succeeded, want an error", addr)
		}
	}
	for _, addr := range []string{"localhost:0", "[::1]:0"} {
		s, err := Start(addr, Options{})
		if err != nil {
			if addr == "[::1]:0" && strings.Contains(err.Error(), "listen") {
				continue // no IPv6 loopback on this machine
			}
			t.Errorf("Start(%q): %v", addr, err)
			continue
		}
		s.Close()
	}
}
