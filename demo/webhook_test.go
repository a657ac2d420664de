package demo

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
)

// stripeEvent builds an event payload. Types other than checkout.session.completed get the
// plan as the first subscription item's price lookup key.
func stripeEvent(t *testing.T, id, typ, stripeCustomer string, created int64, metadata map[string]string) []byte {
	t.Helper()
	object := map[string]any{"customer": stripeCustomer, "metadata": metadata}
	switch typ {
	case "checkout.session.completed":
		object["object"] = "checkout.session"
		object["id"] = "cs_test_" + id
		object["amount_total"] = 4900
	case "customer.subscription.updated":
		object["object"] = "subscription"
		object["id"] = "sub_" + id
		object["items"] = map[string]any{"data": []any{map[string]any{"price": map[string]any{"lookup_key": metadata["plan"]}}}}
		object["metadata"] = map[string]string{}
	}
	body, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "created": created, "api_version": "2025-01-27.acacia",
		"data": map[string]any{"object": object},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// deliver posts a payload signed with secret at time ts, as Stripe would.
func (e *testEnv) deliver(payload []byte, secret string, ts time.Time) result {
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: ts})
	return e.anon().post("/api/stripe/webhook", "application/json", signed.Payload, map[string]string{"Stripe-Signature": signed.Header})
}

func (e *testEnv) deliverSigned(payload []byte) result {
	return e.deliver(payload, DefaultWebhookSecret, time.Now())
}

// entitlements returns the plan and entitlement ids of a seed customer.
func (e *testEnv) entitlements(who string) (string, []string) {
	e.t.Helper()
	body := e.login(who).get("/api/entitlements").json(e.t)
	var ids []string
	for _, ent := range body["entitlements"].([]any) {
		ids = append(ids, ent.(map[string]any)["source_event"].(string))
	}
	return body["plan"].(string), ids
}

func checkout(t *testing.T, id, stripeCustomer, plan string) []byte {
	return stripeEvent(t, id, "checkout.session.completed", stripeCustomer, time.Now().Unix(), map[string]string{"plan": plan})
}

func TestWebhookSignature(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name   string
		send   func(e *testEnv, payload []byte) result
		status int
		apply  bool
	}{
		{"valid", func(e *testEnv, p []byte) result { return e.deliver(p, DefaultWebhookSecret, now) }, http.StatusOK, true},
		{"wrong secret", func(e *testEnv, p []byte) result { return e.deliver(p, "whsec_wrong", now) }, http.StatusBadRequest, false},
		{"stale", func(e *testEnv, p []byte) result {
			return e.deliver(p, DefaultWebhookSecret, now.Add(-10*time.Minute))
		}, http.StatusBadRequest, false},
		{"unsigned", func(e *testEnv, p []byte) result {
			return e.anon().post("/api/stripe/webhook", "application/json", p, nil)
		}, http.StatusBadRequest, false},
		{"tampered body", func(e *testEnv, p []byte) result {
			signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: p, Secret: DefaultWebhookSecret})
			forged := []byte(strings.Replace(string(p), `"plan":"starter"`, `"plan":"pro"`, 1))
			return e.anon().post("/api/stripe/webhook", "application/json", forged, map[string]string{"Stripe-Signature": signed.Header})
		}, http.StatusBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res := tt.send(e, checkout(t, "evt_sig_1", "cus_DemoCarol03", "starter"))
			wantStatus(t, "deliver", res, tt.status)
			plan, ents := e.entitlements("carol")
			if applied := len(ents) == 1 && plan == "starter"; applied != tt.apply {
				t.Errorf("carol plan %q entitlements %v; applied = %v, want %v", plan, ents, applied, tt.apply)
			}
		})
	}

	t.Run("custom secret", func(t *testing.T) {
		e := newEnvOptions(t, Options{WebhookSecret: "whsec_custom"})
		wantStatus(t, "default secret", e.deliverSigned(checkout(t, "evt_c1", "cus_DemoCarol03", "pro")), http.StatusBadRequest)
		wantStatus(t, "custom secret", e.deliver(checkout(t, "evt_c1", "cus_DemoCarol03", "pro"), "whsec_custom", time.Now()), http.StatusOK)
	})
	t.Run("malformed", func(t *testing.T) {
		e := newEnv(t)
		for _, p := range []string{`{`, `{"id":"evt_x","type":"checkout.session.completed","data":{"object":"nope"}}`, `{"type":"checkout.session.completed"}`} {
			wantStatus(t, p, e.deliverSigned([]byte(p)), http.StatusBadRequest)
		}
	})
}

func TestWebhookCheckoutAndIdempotency(t *testing.T) {
	e := newEnv(t)
	payload := checkout(t, "evt_co_1", "cus_DemoCarol03", "pro")
	wantStatus(t, "first", e.deliverSigned(payload), http.StatusOK)
	replay := e.deliverSigned(payload)
	wantStatus(t, "replay", replay, http.StatusOK)
	if replay.json(t)["duplicate"] != true {
		t.Errorf("replay answer = %s, want duplicate", replay.body)
	}
	plan, ents := e.entitlements("carol")
	if plan != "pro" || len(ents) != 1 || ents[0] != "evt_co_1" {
		t.Errorf("carol plan %q entitlements %v, want pro and one from evt_co_1", plan, ents)
	}
	for _, other := range []string{"alice", "bob"} {
		if _, ents := e.entitlements(other); len(ents) != 0 {
			t.Errorf("%s got entitlements %v", other, ents)
		}
	}
	wantStatus(t, "unknown customer", e.deliverSigned(checkout(t, "evt_co_2", "cus_Nobody", "pro")), http.StatusOK)
	wantStatus(t, "unknown type", e.deliverSigned(stripeEvent(t, "evt_co_3", "invoice.paid", "cus_DemoCarol03", 1, nil)), http.StatusOK)
	if _, ents := e.entitlements("carol"); len(ents) != 1 {
		t.Errorf("ignored events changed carol's entitlements: %v", ents)
	}
}

func TestWebhookFailureThenRetry(t *testing.T) {
	e := newEnv(t)
	payload := stripeEvent(t, "evt_flaky", "checkout.session.completed", "cus_DemoBob02", time.Now().Unix(),
		map[string]string{"plan": "pro", "fail_once": "true"})
	wantStatus(t, "first delivery", e.deliverSigned(payload), http.StatusInternalServerError)
	if plan, ents := e.entitlements("bob"); plan != "starter" || len(ents) != 0 {
		t.Errorf("failed event changed bob: plan %q entitlements %v", plan, ents)
	}
	wantStatus(t, "retry", e.deliverSigned(payload), http.StatusOK)
	wantStatus(t, "second retry", e.deliverSigned(payload), http.StatusOK)
	if plan, ents := e.entitlements("bob"); plan != "pro" || len(ents) != 1 {
		t.Errorf("after retries bob has plan %q entitlements %v, want pro and one", plan, ents)
	}
}

func TestWebhookOutOfOrder(t *testing.T) {
	e := newEnv(t)
	base := time.Now().Unix()
	newer := stripeEvent(t, "evt_sub_2", "customer.subscription.updated", "cus_DemoAlice01", base+60, map[string]string{"plan": "starter"})
	older := stripeEvent(t, "evt_sub_1", "customer.subscription.updated", "cus_DemoAlice01", base, map[string]string{"plan": "free"})
	wantStatus(t, "newer", e.deliverSigned(newer), http.StatusOK)
	wantStatus(t, "older", e.deliverSigned(older), http.StatusOK)
	if plan, _ := e.entitlements("alice"); plan != "starter" {
		t.Errorf("alice plan = %q after out-of-order delivery, want starter (the newer state)", plan)
	}
	latest := stripeEvent(t, "evt_sub_3", "customer.subscription.updated", "cus_DemoAlice01", base+120, map[string]string{"plan": "pro"})
	wantStatus(t, "latest", e.deliverSigned(latest), http.StatusOK)
	if plan, _ := e.entitlements("alice"); plan != "pro" {
		t.Errorf("alice plan = %q, want pro", plan)
	}
	if me := e.login("alice").get("/api/me").json(t); me["plan"] != "pro" {
		t.Errorf("/api/me plan = %v", me["plan"])
	}
}
