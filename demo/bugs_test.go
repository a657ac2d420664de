package demo

import (
	"strings"
	"testing"
)

func TestCatalogMatchesDesign(t *testing.T) {
	want := []struct{ name, concern string }{
		{"idor", "isolation"}, {"list-all", "isolation"}, {"overbroad", "scoped"}, {"user-param", "isolation"},
		{"unauth", "unauth"}, {"client-filter", "isolation"}, {"cache-shared", "cache"}, {"cache-headers", "cache"},
		{"expired-fallback", "session"}, {"success-leak", "cache"}, {"webhook-nosig", "webhook"},
		{"webhook-dup", "webhook"}, {"ownership", "webhook"}, {"service-key", "bundle"}, {"empty-fallback", "isolation"}, {"preview-prod", "preview"},
	}
	got := Catalog()
	if len(got) != len(want) {
		t.Fatalf("Catalog() has %d bugs, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Concern != w.concern || got[i].Description == "" {
			t.Errorf("Catalog()[%d] = %+v, want name %q concern %q and a description", i, got[i], w.name, w.concern)
		}
	}
}

func TestParseBugs(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr []string
	}{
		{in: "", want: nil},
		{in: "none", want: nil},
		{in: "idor", want: []string{"idor"}},
		{in: " idor , list-all ,", want: []string{"idor", "list-all"}},
		{in: "idor,nope", wantErr: []string{`"nope"`}},
		{in: "nope, idor, zzz", wantErr: []string{`"nope"`, `"zzz"`}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBugs(tt.in)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("ParseBugs(%q) = %v, want an error", tt.in, got)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not name %s", err, s)
					}
				}
				for _, info := range Catalog() {
					if !strings.Contains(err.Error(), info.Name) {
						t.Errorf("error %q does not list valid bug %q", err, info.Name)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBugs(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ParseBugs(%q) = %v, want %v", tt.in, got, tt.want)
			}
			for _, name := range tt.want {
				if !got.Has(name) {
					t.Errorf("ParseBugs(%q) lacks %q", tt.in, name)
				}
			}
		})
	}
	var none Bugs
	if none.Has("idor") {
		t.Error("nil Bugs has a bug")
	}
}
