package config

import (
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	lookup := env(map[string]string{
		"USER":  "alice",
		"HOST":  "db.example.com",
		"EMPTY": "",
		"ODD":   "a: b # c ${X} $$",
	})
	tests := []struct {
		in, want string
		err      string // fragment; "" for none
	}{
		{"plain", "plain", ""},
		{"", "", ""},
		{"${USER}", "alice", ""},
		{"${USER}@${HOST}", "alice@db.example.com", ""},
		{"pre-${USER}-post", "pre-alice-post", ""},
		{"${UNSET:-fallback}", "fallback", ""},
		{"${UNSET:-}", "", ""},
		{"${UNSET:-a: b # c}", "a: b # c", ""},
		{"${EMPTY:-used when empty}", "used when empty", ""},
		{"${EMPTY}", "", ""},
		{"${USER:-ignored}", "alice", ""},
		{"$$", "$", ""},
		{"$${USER}", "${USER}", ""},
		{"$$$${USER}", "$${USER}", ""},
		{"$$${USER}", "$alice", ""},
		{"pa$word$", "pa$word$", ""},
		{"$USER", "$USER", ""},
		{"${ODD}", "a: b # c ${X} $$", ""},
		{"value: with # chars", "value: with # chars", ""},
		{"${UNSET}", "", "environment variable UNSET is not set"},
		{"${A}${B}${A}", "", "environment variables A, B are not set"},
		{"${USER", "", `unterminated "${" at character 1`},
		{"ab${", "", `unterminated "${" at character 3`},
		{"${}", "", `empty variable name in "${}"`},
		{"${:-x}", "", `empty variable name`},
		{"${9LIVES}", "", `invalid variable name "9LIVES"`},
		{"${A-B}", "", `invalid variable name "A-B"`},
		{"${A B}", "", `invalid variable name "A B"`},
		{"${A:-${B}}", "", `nested "${" in the default`},
	}
	for _, tt := range tests {
		got, err := Interpolate(tt.in, lookup)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Interpolate(%q): unexpected error %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Interpolate(%q): error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && got != tt.want:
			t.Errorf("Interpolate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInterpolateNilLookup(t *testing.T) {
	if got, err := Interpolate("${X:-d}", nil); err != nil || got != "d" {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := Interpolate("${X}", nil); err == nil {
		t.Error("missing variable with nil lookup is not an error")
	}
}
