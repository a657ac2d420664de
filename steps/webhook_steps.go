package steps

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/stripe/stripe-go/v82/webhook"
)

// stripeEvent is one event prepared from a fixture, and what each of its deliveries got back.
type stripeEvent struct {
	name, fixture, id string
	payload           []byte
	statuses          []int
}

// staleAge is past stripe-go's default 300 s signature tolerance.
const staleAge = 10 * time.Minute

func webhookSteps() []Def {
	return []Def{{
		Pattern:     `^a Stripe event "([^"]+)" from "([^"]+)" for (\w+)$`,
		Description: "Prepares a Stripe event from a JSON fixture next to the feature file: {{event_id}} becomes a fresh event id, {{customer}} the account's Stripe customer id, {{created}} the current Unix time.",
		Example:     `Given a Stripe event "purchase" from "fixtures/stripe/checkout_completed.json" for alice`,
		Group:       "webhooks",
		Args:        []string{"", ArgFixture, ArgAccount},
		Handler:     h3((*World).stripeEvent),
	}, {
		Pattern:     `^a Stripe event "([^"]+)" from "([^"]+)" for (\w+) with:$`,
		Description: "The same, with a table of further {{placeholder}} values; a value \"now-600\" is the Unix time 600 seconds ago.",
		Example:     "Given a Stripe event \"upgrade\" from \"fixtures/stripe/subscription_updated.json\" for alice with:\n  | plan    | pro     |\n  | created | now-600 |",
		Group:       "webhooks",
		Args:        []string{"", ArgFixture, ArgAccount},
		Table:       true,
		Handler:     h3Table((*World).stripeEventWith),
	}, {
		Pattern:     `^the "([^"]+)" event is delivered ([1-9]\d{0,2}) times?$`,
		Description: "Sends the event to the target's webhook endpoint N times, each signed with the endpoint's secret by stripe-go's signer (a replay keeps the event id).",
		Example:     `When the "purchase" event is delivered 3 times`,
		Group:       "webhooks",
		Handler:     h2((*World).deliverTimes),
	}, {
		Pattern:     `^the "([^"]+)" event is delivered (with a wrong signature|without a signature|with a stale timestamp|with a malformed body)$`,
		Description: "Sends the event once with a forged delivery: signed with another secret, with no Stripe-Signature header, signed 10 minutes ago (past the 300 s tolerance), or with a body that is not JSON.",
		Example:     `When the "purchase" event is delivered with a wrong signature`,
		Group:       "webhooks",
		Handler:     h2((*World).deliverForged),
	}, {
		Pattern:     `^every delivery of the "([^"]+)" event was (accepted|rejected)$`,
		Description: "Every delivery of the event got a 2xx (accepted) or a 4xx (rejected) answer.",
		Example:     `Then every delivery of the "purchase" event was rejected`,
		Group:       "webhooks",
		Handler:     h2((*World).everyDeliveryWas),
	}, {
		Pattern:     `^the "([^"]+)" route for (\w+) lists the "([^"]+)" event (\d+) times?$`,
		Description: "Requests the route as the account and counts the JSON values equal to the event's id: exactly N effects of that event.",
		Example:     `Then the "entitlements" route for alice lists the "purchase" event 1 time`,
		Group:       "webhooks",
		Args:        []string{ArgRoute, ArgAccount, "", ""},
		Handler:     h4((*World).routeListsEvent),
	}}
}

func h3Table(f func(*World, context.Context, string, string, string, *godog.Table) error) any {
	return func(ctx context.Context, a, b, c string, t *godog.Table) error {
		return f(worldFrom(ctx), ctx, a, b, c, t)
	}
}

func h4(f func(*World, context.Context, string, string, string, string) error) any {
	return func(ctx context.Context, a, b, c, d string) error { return f(worldFrom(ctx), ctx, a, b, c, d) }
}

// stripeEvent: `^a Stripe event "([^"]+)" from "([^"]+)" for (\w+)$`.
func (w *World) stripeEvent(ctx context.Context, name, fixture, owner string) error {
	return w.stripeEventWith(ctx, name, fixture, owner, nil)
}

var fixturePlaceholder = regexp.MustCompile(`\{\{(\w+)\}\}`)

// stripeEventWith: `^a Stripe event "([^"]+)" from "([^"]+)" for (\w+) with:$`.
func (w *World) stripeEventWith(_ context.Context, name, fixture, owner string, table *godog.Table) error {
	a, err := w.account(owner)
	if err != nil {
		return err
	}
	customer, ok := a.Fingerprint(w.run.Target.Webhook.CustomerFingerprint)
	if !ok {
		return fmt.Errorf("account %q has no fingerprint %q holding its Stripe customer id (webhook.customer_fingerprint)", owner, w.run.Target.Webhook.CustomerFingerprint)
	}
	path := filepath.Join(filepath.Dir(w.featureFile), fixture)
	tmpl, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("fixture %s: %w", path, err)
	}
	id, err := newEventID()
	if err != nil {
		return err
	}
	values := map[string]string{"event_id": id, "customer": customer, "created": strconv.FormatInt(time.Now().Unix(), 10)}
	if table != nil {
		for _, row := range table.Rows {
			if len(row.Cells) != 2 {
				return errors.New("the table of a Stripe event has two columns: placeholder | value")
			}
			v, err := relativeTime(row.Cells[1].Value)
			if err != nil {
				return err
			}
			values[row.Cells[0].Value] = v
		}
	}
	var missing []string
	payload := fixturePlaceholder.ReplaceAllStringFunc(string(tmpl), func(m string) string {
		key := m[2 : len(m)-2]
		v, ok := values[key]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s:%d: unknown placeholder %s; known: event_id, customer, created, or a value from the step's table", path, lineOf(tmpl, strings.Index(string(tmpl), m)), m))
		}
		return v
	})
	if len(missing) > 0 {
		return errors.New(strings.Join(missing, "\n"))
	}
	if err := validJSON(path, []byte(payload)); err != nil {
		return err
	}
	w.events[name] = &stripeEvent{name: name, fixture: path, id: id, payload: []byte(payload)}
	return nil
}

// relativeTime turns "now" and "now-600" into Unix times; other values pass through.
func relativeTime(v string) (string, error) {
	if !strings.HasPrefix(v, "now") {
		return v, nil
	}
	t := time.Now().Unix()
	if rest := strings.TrimPrefix(v, "now"); rest != "" {
		d, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return "", fmt.Errorf("time %q: write now, now-SECONDS or now+SECONDS", v)
		}
		t += d
	}
	return strconv.FormatInt(t, 10), nil
}

func newEventID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making an event id: %w", err)
	}
	return "evt_regress_" + hex.EncodeToString(b), nil
}

// CheckFixture reports, before any run, a fixture that is not JSON once its {{placeholders}} are
// filled, with its file:line. Placeholders are filled with 0, valid both inside a JSON string
// and as a bare number, as the step's values are; filling never crosses a line, so lines keep
// their numbers.
func CheckFixture(path string, data []byte) error {
	return validJSON(path, fixturePlaceholder.ReplaceAll(data, []byte("0")))
}

// validJSON reports a fixture that is not JSON with its file:line.
func validJSON(path string, data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s:%d: the fixture is not valid JSON: %v", path, lineOf(data, int(se.Offset)), err)
	}
	return fmt.Errorf("%s: the fixture is not valid JSON: %v", path, err)
}

func lineOf(data []byte, offset int) int {
	if offset < 0 || offset > len(data) {
		return 1
	}
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

func (w *World) event(name string) (*stripeEvent, error) {
	ev, ok := w.events[name]
	if !ok {
		return nil, fmt.Errorf("no Stripe event %q in this scenario; prepare it first with `a Stripe event %q from \"fixtures/...json\" for ACCOUNT`", name, name)
	}
	return ev, nil
}

// deliver signs and posts one delivery as Stripe would. secret "" sends no signature.
func (w *World) deliver(ctx context.Context, ev *stripeEvent, payload []byte, secret string, at time.Time) error {
	hook := w.run.Target.Webhook
	if hook.Path == "" {
		return fmt.Errorf("target %q has no webhook endpoint: set webhook.path and webhook.secret in the config", w.run.Target.Name)
	}
	if !w.run.Target.AllowMutations {
		return fmt.Errorf("refusing to deliver a webhook: target %q is read-only; tag the scenario %s", w.run.Target.Name, MutatingTag)
	}
	header := ""
	if secret != "" {
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
		payload, header = signed.Payload, signed.Header
	}
	// Stripe is not a customer: its session has no cookies and its answers are not scanned.
	s, err := w.newSession(nil)
	if err != nil {
		return err
	}
	s.Name = StripeSession
	resp, err := s.DoWithHeaders(ctx, http.MethodPost, hook.Path, payload, "application/json", map[string]string{"Stripe-Signature": header})
	if err != nil {
		return err
	}
	w.last = resp
	ev.statuses = append(ev.statuses, resp.Status)
	return nil
}

// deliverTimes: `^the "([^"]+)" event is delivered ([1-9]\d{0,2}) times?$`.
func (w *World) deliverTimes(ctx context.Context, name, times string) error {
	ev, err := w.event(name)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(times)
	if err != nil {
		return fmt.Errorf("%q is not a number of deliveries", times)
	}
	for i := 0; i < n; i++ {
		if err := w.deliver(ctx, ev, ev.payload, w.run.Target.Webhook.Secret, time.Now()); err != nil {
			return fmt.Errorf("delivery %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// deliverForged: `^the "([^"]+)" event is delivered (with a wrong signature|...)$`.
func (w *World) deliverForged(ctx context.Context, name, how string) error {
	ev, err := w.event(name)
	if err != nil {
		return err
	}
	secret, payload, at := w.run.Target.Webhook.Secret, ev.payload, time.Now()
	switch how {
	case "with a wrong signature":
		secret = "whsec_regress_wrong_" + ev.id
	case "without a signature":
		secret = ""
	case "with a stale timestamp":
		at = at.Add(-staleAge)
	case "with a malformed body":
		payload = append([]byte(`{"id": "`+ev.id+`", "type": `), payload[:len(payload)/2]...)
	}
	return w.deliver(ctx, ev, payload, secret, at)
}

// everyDeliveryWas: `^every delivery of the "([^"]+)" event was (accepted|rejected)$`.
func (w *World) everyDeliveryWas(_ context.Context, name, outcome string) error {
	ev, err := w.event(name)
	if err != nil {
		return err
	}
	if len(ev.statuses) == 0 {
		return fmt.Errorf("the %q event was never delivered", name)
	}
	lo, want := 200, "2xx (accepted)"
	if outcome == "rejected" {
		lo, want = 400, "4xx (rejected)"
	}
	for i, st := range ev.statuses {
		if st < lo || st >= lo+100 {
			return fmt.Errorf("delivery %d of %d of the %q event to %s answered %d; expected %s", i+1, len(ev.statuses), name, w.run.Target.Webhook.Path, st, want)
		}
	}
	return nil
}

// routeJSON requests a route as an account and decodes its JSON body.
func (w *World) routeJSON(ctx context.Context, routeName, owner string) (any, []byte, error) {
	if err := w.requestsRoute(ctx, owner, routeName); err != nil {
		return nil, nil, err
	}
	if w.last.Status != http.StatusOK {
		return nil, nil, fmt.Errorf("%s answered %d; expected 200", w.last.Describe(), w.last.Status)
	}
	v, err := w.jsonBody()
	return v, w.last.Body, err
}

// routeListsEvent: `^the "([^"]+)" route for (\w+) lists the "([^"]+)" event (\d+) times?$`.
func (w *World) routeListsEvent(ctx context.Context, routeName, owner, name, times string) error {
	ev, err := w.event(name)
	if err != nil {
		return err
	}
	v, _, err := w.routeJSON(ctx, routeName, owner)
	if err != nil {
		return err
	}
	want, err := strconv.Atoi(times)
	if err != nil {
		return fmt.Errorf("%q is not a count", times)
	}
	if got := countString(v, ev.id); got != want {
		return fmt.Errorf("%s lists the %q event (%s) %d times for %s; expected %d", w.last.Describe(), name, ev.id, got, owner, want)
	}
	return nil
}

// countString counts the JSON strings equal to s anywhere in v.
func countString(v any, s string) int {
	switch t := v.(type) {
	case string:
		if t == s {
			return 1
		}
	case []any:
		n := 0
		for _, e := range t {
			n += countString(e, s)
		}
		return n
	case map[string]any:
		n := 0
		for _, e := range t {
			n += countString(e, s)
		}
		return n
	}
	return 0
}
