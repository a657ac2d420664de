package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// webhookObject is the part of an event's data.object the app reads, for both
// checkout.session.completed and customer.subscription.updated.
type webhookObject struct {
	ID          string            `json:"id"`
	Customer    json.RawMessage   `json:"customer"` // an id, or an expanded object with one
	AmountTotal int64             `json:"amount_total"`
	Metadata    map[string]string `json:"metadata"`
	Items       struct {
		Data []struct {
			Price struct {
				LookupKey string `json:"lookup_key"`
			} `json:"price"`
		} `json:"data"`
	} `json:"items"`
}

// customerID returns the Stripe customer id the object refers to, or "".
func (o webhookObject) customerID() string {
	var id string
	if json.Unmarshal(o.Customer, &id) == nil {
		return id
	}
	var expanded struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(o.Customer, &expanded) == nil {
		return expanded.ID
	}
	return ""
}

// handleWebhook receives Stripe events. It answers 400 to an unsigned, wrongly signed or stale
// (over 300 s) payload and to malformed JSON, changing nothing; 200 to an applied, replayed
// (already applied id) or ignored (unknown type or customer) event; 500 to an event whose
// processing failed, which then changes nothing and may be retried under the same id.
func (a *app) handleWebhook(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("unreadable body"))
		return
	}
	var ev stripe.Event
	if a.bugs.Has("webhook-nosig") {
		// Bug webhook-nosig: verification was switched off "while testing locally" and never
		// switched back on, so the payload is trusted as is.
		err = json.Unmarshal(payload, &ev)
	} else {
		ev, err = webhook.ConstructEventWithOptions(payload, r.Header.Get("Stripe-Signature"), a.webhookSecret,
			webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("invalid event"))
		return
	}
	if ev.ID == "" || ev.Data == nil {
		writeJSON(w, http.StatusBadRequest, errorBody("invalid event"))
		return
	}
	var obj webhookObject
	if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("invalid event object"))
		return
	}
	status, result := a.applyEvent(ev, obj)
	writeJSON(w, status, result)
}

// applyEvent applies one verified event atomically: either all of its effect and the record of its
// id, or nothing.
func (a *app) applyEvent(ev stripe.Event, obj webhookObject) (int, map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.processedEvents[ev.ID] {
		return http.StatusOK, map[string]any{"received": true, "duplicate": true}
	}
	if obj.Metadata["fail_once"] == "true" && !a.failedEvents[ev.ID] {
		// A deliberate transient failure, so that "fails, then its retry succeeds" is testable.
		a.failedEvents[ev.ID] = true
		return http.StatusInternalServerError, map[string]any{"error": "temporary failure, retry later"}
	}
	created := ev.Created
	if created == 0 {
		created = a.now().Unix()
	}
	result := map[string]any{"received": true}
	switch ev.Type {
	case "checkout.session.completed":
		c := a.customerByStripeIDLocked(obj.customerID())
		if c == nil {
			result["ignored"] = "unknown customer"
			break
		}
		plan := obj.Metadata["plan"]
		product := obj.Metadata["product"]
		if product == "" {
			product = plan
		}
		if product == "" {
			product = "checkout " + obj.ID
		}
		a.entitlementSeq++
		c.entitlements = append(c.entitlements, entitlement{
			ID:          "ent_" + strconv.Itoa(a.entitlementSeq),
			SourceEvent: ev.ID,
			Product:     product,
		})
		a.setPlanLocked(c, plan, created)
	case "customer.subscription.updated":
		c := a.customerByStripeIDLocked(obj.customerID())
		if c == nil {
			result["ignored"] = "unknown customer"
			break
		}
		plan := obj.Metadata["plan"]
		if len(obj.Items.Data) > 0 && obj.Items.Data[0].Price.LookupKey != "" {
			plan = obj.Items.Data[0].Price.LookupKey
		}
		if !a.setPlanLocked(c, plan, created) {
			result["ignored"] = "stale plan change"
		}
	default:
		result["ignored"] = fmt.Sprintf("event type %s", ev.Type)
	}
	a.recordEventLocked(ev.ID)
	return http.StatusOK, result
}

// setPlanLocked sets the customer's plan unless plan is empty or a plan change from a later
// Stripe event was already applied (events may arrive out of order). It reports whether it did.
func (a *app) setPlanLocked(c *customer, plan string, created int64) bool {
	if plan == "" || created < c.planChangedAt {
		return false
	}
	c.Plan = plan
	c.planChangedAt = created
	return true
}

// recordEventLocked remembers an applied event id so that its replay has no effect.
func (a *app) recordEventLocked(id string) {
	if a.bugs.Has("webhook-dup") {
		// Bug webhook-dup: the write of the processed-events row was lost in a refactor.
		return
	}
	a.processedEvents[id] = true
}

// customerByStripeIDLocked returns the customer owning a Stripe customer id, or nil. The caller holds a.mu.
func (a *app) customerByStripeIDLocked(stripeID string) *customer {
	if stripeID == "" {
		return nil
	}
	for i, c := range a.customers {
		if c.StripeID == stripeID {
			if a.bugs.Has("ownership") {
				// Bug ownership: the mapping goes through a 1-based position used as a 0-based
				// index, landing on the next customer in the table.
				return a.customers[(i+1)%len(a.customers)]
			}
			return c
		}
	}
	return nil
}
