package steps

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"regress/config"
)

// TestDeliveriesAgainstStripesVerifier checks the deliveries the webhook steps send against
// stripe-go's own verifier: a signed delivery verifies; a wrong secret, no signature and a
// stale timestamp do not.
func TestDeliveriesAgainstStripesVerifier(t *testing.T) {
	const secret = "whsec_test_regress_signer_0123456789"
	var verdicts []error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, err := webhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), secret,
			webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
		verdicts = append(verdicts, err)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()

	dir := t.TempDir()
	fixture := `{"id": "{{event_id}}", "object": "event", "created": {{created}}, "type": "checkout.session.completed",
	  "data": {"object": {"id": "cs_x", "customer": "{{customer}}"}}}`
	if err := os.WriteFile(filepath.Join(dir, "event.json"), []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	target := &config.Target{
		Name: "t", BaseURL: srv.URL, AllowMutations: true, MaxBodyBytes: 1 << 20,
		Timeouts: config.Timeouts{Request: 5 * time.Second},
		Webhook:  config.Webhook{Path: "/hook", Secret: secret, CustomerFingerprint: "customer_id"},
		Accounts: []config.Account{{Name: "alice", Fingerprints: []config.Fingerprint{{Name: "customer_id", Value: "cus_alice_test"}}}},
	}
	w := newWorld(NewRun(target, nil))
	w.featureFile = filepath.Join(dir, "x.feature")
	ctx := context.Background()
	if err := w.stripeEvent(ctx, "e", "event.json", "alice"); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name  string
		do    func() error
		valid bool
	}{
		{"signed", func() error { return w.deliverTimes(ctx, "e", "1") }, true},
		{"wrong secret", func() error { return w.deliverForged(ctx, "e", "with a wrong signature") }, false},
		{"unsigned", func() error { return w.deliverForged(ctx, "e", "without a signature") }, false},
		{"stale", func() error { return w.deliverForged(ctx, "e", "with a stale timestamp") }, false},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := verdicts[i] == nil; got != s.valid {
			t.Errorf("%s delivery: stripe-go's verifier said %v, want valid=%v", s.name, verdicts[i], s.valid)
		}
	}
	if err := w.everyDeliveryWas(ctx, "e", "accepted"); err == nil {
		t.Error("every delivery was accepted, though three were forged")
	}
}
