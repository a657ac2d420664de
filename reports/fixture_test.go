package reports

import (
	"encoding/base64"
	"time"
)

// tinyPNG is a 1×1 PNG screenshot.
var tinyPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4o6QEAALOARFa6phZAAAAAElFTkSuQmCC")

const (
	fixtureBase     = "http://127.0.0.1:41234"
	fixturePassword = "alice-demo-password"
	fixtureSession  = "3f9a2c7e5b1d4a6f8e0c9b2a7d5f1e3c"
)

var fixtureStart = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// mixedRun is one passed, one failed (a leak, a transcript, a screenshot and a DOM) and one
// skipped scenario, added out of order, with fixed times.
func mixedRun() *Run {
	run := &Run{Target: "demo", BaseURL: fixtureBase, Started: fixtureStart, Duration: 4200 * time.Millisecond, Selected: 3}
	run.Add(&Scenario{
		Ref: "features/webhook.feature:9", URI: "features/webhook.feature", Line: 9,
		Feature: "Stripe webhooks", FeatureLine: 2, Name: "Replaying an event grants one entitlement",
		Tags: []string{"@mutating"}, Status: Skipped,
		Reason: "target demo is read-only: @mutating scenario not run (allow mutations in regress.yaml)",
		Rerun:  "regress run --target demo features/webhook.feature:9",
	})
	run.Add(&Scenario{
		Ref: "features/isolation.feature:12", URI: "features/isolation.feature", Line: 12,
		Feature: "Customer isolation", FeatureLine: 1, Name: "Alice cannot read Bob's order by id",
		Tags: []string{"@isolation", "@smoke"}, Status: Failed,
		Reason: "features/isolation.feature:15: step \"the response status is 404\": expected 404, got 200\n" +
			"leak: alice saw bob's email in GET " + fixtureBase + "/api/orders/ord_bob_1",
		Leaks: []Leak{{Viewer: "alice", Account: "bob", Fingerprint: "email", Masked: "bo************st",
			URL: fixtureBase + "/api/orders/ord_bob_1", Where: "response body"}},
		Duration: 1750 * time.Millisecond,
		Steps: []Step{
			{Keyword: "Given ", Text: "alice is logged in", Line: 13, Status: Passed, Duration: 200 * time.Millisecond},
			{Keyword: "When ", Text: "alice requests GET /api/orders/ord_bob_1", Line: 14, Status: Passed, Duration: 50 * time.Millisecond},
			{Keyword: "Then ", Text: "the response status is 404", Line: 15, Status: Failed, Duration: 1500 * time.Millisecond,
				Error: "GET /api/orders/ord_bob_1 answered 200, expected 404"},
			{Keyword: "And ", Text: "the page shows no order of bob", Line: 16, Status: Skipped},
		},
		Attachments: []Attachment{
			{Name: "screenshot after step 3", MediaType: "image/png", Data: tinyPNG},
			{Name: "DOM after step 3", MediaType: "text/html", Data: []byte(`<html><body><h1>Order ord_bob_1</h1><p class="email">bob@example.test</p></body></html>`)},
		},
		Transcript: []Exchange{
			{
				Session: "alice", Method: "POST", URL: fixtureBase + "/api/login", Status: 200,
				RequestHeader: map[string][]string{"Content-Type": {"application/json"}},
				RequestBody:   `{"email":"alice@example.test","password":"` + fixturePassword + `"}`,
				ResponseHeader: map[string][]string{
					"Set-Cookie":   {"session=" + fixtureSession + "; Path=/; HttpOnly; SameSite=Lax"},
					"Content-Type": {"application/json"},
				},
				ResponseBody: `{"ok":true}`, Duration: 120 * time.Millisecond,
			},
			{
				Session: "alice", Method: "GET", URL: fixtureBase + "/api/orders/ord_bob_1", Status: 200,
				RequestHeader:  map[string][]string{"Cookie": {"session=" + fixtureSession}},
				ResponseHeader: map[string][]string{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}},
				ResponseBody:   `{"id":"ord_bob_1","customer":"cus_bob","email":"bob@example.test","total":4200}`,
				Duration:       30 * time.Millisecond,
			},
		},
		Rerun: "regress run --target demo features/isolation.feature:12",
	})
	run.Add(&Scenario{
		Ref: "features/cache.feature:7", URI: "features/cache.feature", Line: 7,
		Feature: "Cache isolation", FeatureLine: 1, Name: "Personalised pages are private",
		Tags: []string{"@cache"}, Status: Passed, Duration: 250 * time.Millisecond,
		Steps: []Step{
			{Keyword: "Given ", Text: "bob is logged in", Line: 8, Status: Passed, Duration: 200 * time.Millisecond},
			{Keyword: "Then ", Text: `the page "/dashboard" is not cacheable by a shared cache`, Line: 9, Status: Passed, Duration: 50 * time.Millisecond},
		},
		Rerun: "regress run --target demo features/cache.feature:7",
	})
	return run
}

// interruptedRun stopped after two of five scenarios when the target went away: one passed, and
// one failed on a leak the sentinel found although every step passed.
func interruptedRun() *Run {
	run := &Run{Target: "staging", BaseURL: "https://staging.example.test", Started: fixtureStart,
		Duration: 61500 * time.Millisecond, Selected: 5, Interrupted: true}
	run.SetUnreachable("GET https://staging.example.test/api/me: connection refused")
	run.Add(&Scenario{
		Ref: "features/session.feature:4", URI: "features/session.feature", Line: 4,
		Feature: "Sessions", FeatureLine: 1, Name: "Logging out ends the session",
		Status: Passed, Duration: 300 * time.Millisecond,
		Steps: []Step{{Keyword: "Given ", Text: "alice is logged in", Line: 5, Status: Passed, Duration: 300 * time.Millisecond}},
	})
	run.Add(&Scenario{
		Ref: "features/bundle.feature:6", URI: "features/bundle.feature", Line: 6,
		Feature: "Client bundle", FeatureLine: 1, Name: "The bundle carries no secret key | `backticks` *stars*",
		Status: Failed, Duration: 900 * time.Millisecond,
		Reason: "features/bundle.feature:6: leak sentinel: carol saw alice's customer_id",
		Leaks: []Leak{
			{Viewer: "carol", Account: "alice", Fingerprint: "customer_id", Masked: "cu*******ce", URL: "https://staging.example.test/_next/static/main.js", Where: "network response"},
			{Viewer: "carol", Account: "alice", Fingerprint: "email", Masked: "al**************st", URL: "https://staging.example.test/dashboard", Where: "DOM"},
		},
		Steps: []Step{{Keyword: "When ", Text: "carol opens the dashboard", Line: 7, Status: Passed, Duration: 900 * time.Millisecond}},
		Rerun: "regress run --target staging features/bundle.feature:6",
	})
	return run
}
