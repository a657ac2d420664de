package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"
)

// customer is one row of the customers table. Everything past Plan is internal and must never
// reach a client.
type customer struct {
	ID            string
	Email         string
	Name          string
	StripeID      string
	Plan          string
	PasswordHash  string
	InternalNotes string
	ReferralCode  string
	CreatedAt     time.Time
	// planChangedAt is the Stripe `created` time (unix seconds) of the last plan change applied by a
	// webhook; older events must not revert it.
	planChangedAt int64
	entitlements  []entitlement
}

// order is one row of the orders table.
type order struct {
	ID         string
	CustomerID string
	Product    string
	Amount     int64 // cents
	Status     string
	CreatedAt  time.Time
}

// checkoutSession is a Stripe Checkout session the app created for a customer.
type checkoutSession struct {
	ID         string
	CustomerID string
	Product    string
	Amount     int64 // cents
}

// entitlement is what a completed checkout grants a customer.
type entitlement struct {
	ID          string `json:"id"`
	SourceEvent string `json:"source_event"`
	Product     string `json:"product"`
}

// profileView is the customer profile the API and pages may show to the customer themselves.
type profileView struct {
	ID         string `json:"id"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	Plan       string `json:"plan"`
	CustomerID string `json:"customer_id"`
}

// customerRow is the whole customers row as the database returns it.
type customerRow struct {
	profileView
	PasswordHash  string `json:"password_hash"`
	InternalNotes string `json:"internal_notes"`
	ReferralCode  string `json:"referral_code"`
	CreatedAt     string `json:"created_at"`
}

// orderView is an order as the API returns it. CustomerEmail is set only where a query joins the
// customers table, which the clean app never does for a client.
type orderView struct {
	ID            string `json:"id"`
	Product       string `json:"product"`
	Amount        int64  `json:"amount"`
	Status        string `json:"status"`
	CustomerEmail string `json:"customer_email,omitempty"`
}

func hashPassword(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic("demo: bad seed date " + s) // a constant below is wrong
	}
	return t
}

// seedCustomers returns the fixed customers, in creation order (the order matters to the ownership bug).
func seedCustomers() []*customer {
	return []*customer{
		{
			ID: "usr_alice", Email: "alice@example.test", Name: "Alice Andersen", StripeID: "cus_DemoAlice01",
			Plan: "pro", PasswordHash: hashPassword("alice-demo-password"), InternalNotes: "VIP since 2024",
			ReferralCode: "ref_int_7Q2K9A", CreatedAt: day("2024-03-05"),
		},
		{
			ID: "usr_bob", Email: "bob@example.test", Name: "Bob Brennan", StripeID: "cus_DemoBob02",
			Plan: "starter", PasswordHash: hashPassword("bob-demo-password"), InternalNotes: "Asked for annual invoicing",
			ReferralCode: "ref_int_3M8D1X", CreatedAt: day("2024-06-12"),
		},
		{
			ID: "usr_carol", Email: "carol@example.test", Name: "Carol Castillo", StripeID: "cus_DemoCarol03",
			Plan: "free", PasswordHash: hashPassword("carol-demo-password"), InternalNotes: "Trial user",
			ReferralCode: "ref_int_5T6H4P", CreatedAt: day("2025-01-20"),
		},
	}
}

// seedOrders returns the fixed orders, oldest first. Carol has none.
func seedOrders() []*order {
	return []*order{
		{ID: "ord_alice_1001", CustomerID: "usr_alice", Product: "Pro plan", Amount: 4900, Status: "paid", CreatedAt: day("2025-01-10")},
		{ID: "ord_alice_1002", CustomerID: "usr_alice", Product: "Add-on seats", Amount: 1500, Status: "paid", CreatedAt: day("2025-02-14")},
		{ID: "ord_bob_2001", CustomerID: "usr_bob", Product: "Starter plan", Amount: 1900, Status: "paid", CreatedAt: day("2025-03-01")},
	}
}

// seedCheckouts returns one completed checkout session per customer with orders.
func seedCheckouts() map[string]*checkoutSession {
	return map[string]*checkoutSession{
		"cs_demo_alice": {ID: "cs_demo_alice", CustomerID: "usr_alice", Product: "Pro plan", Amount: 4900},
		"cs_demo_bob":   {ID: "cs_demo_bob", CustomerID: "usr_bob", Product: "Starter plan", Amount: 1900},
	}
}

func (c *customer) profile() profileView {
	return profileView{ID: c.ID, Email: c.Email, Name: c.Name, Plan: c.Plan, CustomerID: c.StripeID}
}

func (c *customer) row() customerRow {
	return customerRow{
		profileView:   c.profile(),
		PasswordHash:  c.PasswordHash,
		InternalNotes: c.InternalNotes,
		ReferralCode:  c.ReferralCode,
		CreatedAt:     c.CreatedAt.Format(time.RFC3339),
	}
}

func (o *order) view() orderView {
	return orderView{ID: o.ID, Product: o.Product, Amount: o.Amount, Status: o.Status}
}

// customerByIDLocked returns the customer with that id, or nil. The caller holds a.mu.
func (a *app) customerByIDLocked(id string) *customer {
	for _, c := range a.customers {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// orderByIDLocked returns the order with that id, or nil. The caller holds a.mu.
func (a *app) orderByIDLocked(id string) *order {
	for _, o := range a.orders {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// latestOrdersLocked returns every order, newest first. The caller holds a.mu.
func (a *app) latestOrdersLocked() []*order {
	out := append([]*order(nil), a.orders...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

// ordersOfLocked returns the orders a customer is shown on the dashboard, the account page and
// GET /api/orders, oldest first; never nil. The caller holds a.mu.
func (a *app) ordersOfLocked(customerID string) []orderView {
	views := []orderView{}
	for _, o := range a.orders {
		if o.CustomerID == customerID {
			views = append(views, o.view())
		}
	}
	if len(views) == 0 && a.bugs.Has("empty-fallback") {
		// Bug empty-fallback: "show something rather than an empty list" falls back on the
		// newest order in the table, whoever it belongs to.
		if latest := a.latestOrdersLocked(); len(latest) > 0 {
			views = append(views, latest[0].view())
		}
	}
	return views
}

// emailOfLocked returns the email of the customer with that id, or "". The caller holds a.mu.
func (a *app) emailOfLocked(customerID string) string {
	if c := a.customerByIDLocked(customerID); c != nil {
		return c.Email
	}
	return ""
}
