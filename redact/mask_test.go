package redact

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	tests := map[string]string{
		"":                                   "",
		"abc":                                "a**",
		"bob@example.test":                   "bo************st",
		"sk_live_0123456789abcdefghijklmnop": "sk_l****************mnop",
	}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
		if len(in) > 3 && strings.Contains(Mask(in), in[1:len(in)-1]) {
			t.Errorf("Mask(%q) keeps the middle", in)
		}
	}
}
