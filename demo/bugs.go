package demo

import (
	"fmt"
	"strings"
)

// BugInfo describes one switchable bug.
type BugInfo struct {
	// Name is the bug's switch, as given to ParseBugs and `--bugs`.
	Name string
	// Concern is the Gherkin tag (without @) of the scenarios that must catch the bug.
	Concern string
	// Description says what the app then does wrong and which root cause that plants.
	Description string
}

// Catalog lists every bug, in the order of the design's table.
func Catalog() []BugInfo {
	return []BugInfo{
		{"idor", "isolation", "GET /api/orders/{id} returns any customer's order (missing ownership check)"},
		{"list-all", "isolation", "GET /api/orders returns every customer's orders (query without a customer filter)"},
		{"overbroad", "scoped", "GET /api/me returns the whole customer row: password hash, internal notes, internal ids (overbroad response)"},
		{"user-param", "isolation", "GET /api/customer?user_id= returns the profile of the id the client sends (client-controlled filter)"},
		{"unauth", "unauth", "GET /api/orders without a session answers 200 with the latest orders of all customers (missing auth check)"},
		{"client-filter", "isolation", "the dashboard script fetches every customer's rows from /api/customers and filters them in the browser (client-side data access)"},
		{"cache-shared", "cache", "/dashboard and /account are sent public, s-maxage=300 and the shared cache serves them to the next visitor (cache leakage)"},
		{"cache-headers", "cache", "/dashboard and /account are sent max-age=300 without private, no-store or Vary: Cookie (cache headers)"},
		{"expired-fallback", "session", "/dashboard with an invalid, revoked or expired session shows the last rendered dashboard instead of redirecting to /login (session handling)"},
		{"success-leak", "cache", "/checkout/success shows the customer's name and email to anyone with the URL, public, max-age=600 (cached success page)"},
		{"webhook-nosig", "webhook", "the Stripe webhook accepts events without verifying their signature (signature verification off)"},
		{"webhook-dup", "webhook", "the Stripe webhook does not record processed event ids, so a replay adds a duplicate entitlement (non-idempotent webhook)"},
		{"ownership", "webhook", "the Stripe webhook maps a Stripe customer to the next customer in the table (broken ownership mapping)"},
		{"service-key", "bundle", "/static/app.js also carries a Stripe secret key and a Supabase service-role key (secret in client bundle)"},
		{"empty-fallback", "isolation", "a customer with no orders is shown the latest order of anyone on /dashboard, /account and GET /api/orders (fallback on empty state)"},
		{"preview-prod", "preview", "the account page shows production's recent purchases and the client calls the production backend host (preview wired to production)"},
	}
}

// Bugs is a set of enabled bug names. The nil set enables none.
type Bugs map[string]bool

// Has reports whether the bug called name is enabled.
func (b Bugs) Has(name string) bool { return b[name] }

// ParseBugs parses a comma-separated list of bug names. "" and "none" enable no bug; spaces around
// names and empty items are ignored. An unknown name is an error naming it and listing every valid name.
func ParseBugs(list string) (Bugs, error) {
	valid := make(map[string]bool)
	for _, info := range Catalog() {
		valid[info.Name] = true
	}
	bugs := Bugs{}
	var unknown []string
	for _, item := range strings.Split(list, ",") {
		name := strings.TrimSpace(item)
		if name == "" || name == "none" {
			continue
		}
		if !valid[name] {
			unknown = append(unknown, fmt.Sprintf("%q", name))
			continue
		}
		bugs[name] = true
	}
	if len(unknown) > 0 {
		names := make([]string, 0, len(valid))
		for _, info := range Catalog() {
			names = append(names, info.Name)
		}
		word := "bug"
		if len(unknown) > 1 {
			word = "bugs"
		}
		return nil, fmt.Errorf("unknown demo %s %s (valid: %s)", word, strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	return bugs, nil
}
