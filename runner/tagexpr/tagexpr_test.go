package tagexpr

import (
	"strings"
	"testing"
)

func TestParseAndMatch(t *testing.T) {
	tests := []struct {
		expr  string
		godog string
		tags  []string
		match bool
	}{
		{"", "", []string{"@x"}, true},
		{"@smoke", "@smoke", []string{"@smoke", "@unauth"}, true},
		{"@smoke", "@smoke", []string{"@unauth"}, false},
		{"~@mutating", "~@mutating", []string{"@mutating"}, false},
		{"@a && ~@b", "@a && ~@b", []string{"@a"}, true},
		{"@a && ~@b", "@a && ~@b", []string{"@a", "@b"}, false},
		{"@a,@b", "@a,@b", []string{"@b"}, true},
		{"@smoke and not @mutating", "@smoke && ~@mutating", []string{"@smoke"}, true},
		{"@smoke and not @mutating", "@smoke && ~@mutating", []string{"@smoke", "@mutating"}, false},
		{"@a and @b or @c", "@a && @b,@c", []string{"@c"}, true},
		{"@a and @b or @c", "@a && @b,@c", []string{"@a"}, false},
		{"not @wip", "~@wip", []string{"@smoke"}, true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		if got := e.Godog(); got != tt.godog {
			t.Errorf("Parse(%q).Godog() = %q, want %q", tt.expr, got, tt.godog)
		}
		if got := e.Match(tt.tags); got != tt.match {
			t.Errorf("Parse(%q).Match(%v) = %v, want %v", tt.expr, tt.tags, got, tt.match)
		}
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	tests := map[string]string{
		"@a && ":     "ends with an operator",
		"&& @a":      "unexpected",
		"@a,,@b":     "unexpected",
		"@a @b":      "missing operator",
		"smoke":      "is not a tag",
		"(@a)":       "parentheses",
		"@a and":     "ends with an operator",
		"not not @a": "unexpected",
		"@":          "is not a tag",
	}
	for expr, want := range tests {
		_, err := Parse(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v, want it to mention %q", expr, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"@a && ~@b", "@a,@b", "not @a and @b or @c", "@a && ", "~", "(@a)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		// A valid expression's godog form parses to the same expression.
		again, err := Parse(e.Godog())
		if err != nil {
			t.Fatalf("Parse(%q).Godog() = %q does not parse: %v", s, e.Godog(), err)
		}
		if again.Godog() != e.Godog() {
			t.Fatalf("round trip of %q: %q != %q", s, again.Godog(), e.Godog())
		}
		e.Match([]string{"@a", "@b"})
	})
}
