package steps

import "testing"

func TestURLHitsHost(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://api.prod.example/v1/orders", true},
		{"http://api.prod.example:8443/x", true},
		{"wss://API.Prod.Example/socket", true},
		{"https://eu.api.prod.example/x", true},
		{"https://api.prod.example.evil.test/x", false},
		{"https://xapi.prod.example/x", false},
		{"https://api.preview.example/x", false},
		{"/relative/path", false},
		{"::not a url", false},
	}
	for _, tt := range tests {
		if got := urlHitsHost(tt.url, "api.prod.example"); got != tt.want {
			t.Errorf("urlHitsHost(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestTextMentionsHost(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{`fetch("https://api.prod.example/v1")`, true},
		{`const db = "postgres://u@db.api.prod.example:5432/app"`, true},
		{`host: api.prod.example.`, true},
		{`API.PROD.EXAMPLE`, true},
		{`"https://api.prod.example.com/v1"`, false},
		{`xapi.prod.example`, false},
		{`api-prod-example`, false},
		{``, false},
	}
	for _, tt := range tests {
		if _, got := textMentionsHost(tt.text, "api.prod.example"); got != tt.want {
			t.Errorf("textMentionsHost(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
