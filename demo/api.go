package demo

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
)

func unauthorized(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, errorBody("unauthorized"))
}

// handleMe answers the session customer's profile; 401 without a session.
func (a *app) handleMe(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	var body any
	if c != nil {
		body = c.profile()
		if a.bugs.Has("overbroad") {
			// Bug overbroad: the handler returns the row as the database gave it instead of
			// mapping it to the public profile.
			body = c.row()
		}
	}
	a.mu.Unlock()
	if c == nil {
		unauthorized(w)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// handleOrders answers the session customer's orders ({"orders":[...]}, never null); 401 without a session.
func (a *app) handleOrders(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	var orders any // stays nil only without a session
	switch {
	case c == nil && a.bugs.Has("unauth"):
		// Bug unauth: the route was left out of the auth middleware, and with no session the
		// handler falls through to the "recent orders" teaser query.
		orders = a.recentOrdersTeaserLocked()
	case c == nil:
	case a.bugs.Has("list-all"):
		// Bug list-all: the query lost its `where customer_id = $1` and joins the customer.
		orders = a.allOrdersJoinedLocked()
	default:
		orders = a.ordersOfLocked(c.ID)
	}
	a.mu.Unlock()
	if orders == nil {
		unauthorized(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": orders})
}

// orderTeaser is the "recent orders" teaser row: id, product and the buyer's email.
type orderTeaser struct {
	ID            string `json:"id"`
	Product       string `json:"product"`
	CustomerEmail string `json:"customer_email"`
}

// recentOrdersTeaserLocked returns the newest orders of all customers as teaser rows.
func (a *app) recentOrdersTeaserLocked() []orderTeaser {
	views := []orderTeaser{}
	for _, o := range a.latestOrdersLocked() {
		views = append(views, orderTeaser{ID: o.ID, Product: o.Product, CustomerEmail: a.emailOfLocked(o.CustomerID)})
	}
	return views
}

// allOrdersJoinedLocked returns every order joined with its customer's email.
func (a *app) allOrdersJoinedLocked() []orderView {
	views := []orderView{}
	for _, o := range a.orders {
		v := o.view()
		v.CustomerEmail = a.emailOfLocked(o.CustomerID)
		views = append(views, v)
	}
	return views
}

// handleOrder answers one of the session customer's orders; another customer's order and an
// unknown id are both 404 without echoing the id; 401 without a session.
func (a *app) handleOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	var view *orderView
	if c != nil {
		o := a.orderByIDLocked(id)
		switch {
		case o == nil:
		case a.bugs.Has("idor"):
			// Bug idor: the lookup is by order id alone, with no ownership check, and the row
			// comes back joined with its customer.
			v := o.view()
			v.CustomerEmail = a.emailOfLocked(o.CustomerID)
			view = &v
		case o.CustomerID == c.ID:
			v := o.view()
			view = &v
		}
	}
	a.mu.Unlock()
	switch {
	case c == nil:
		unauthorized(w)
	case view == nil:
		writeJSON(w, http.StatusNotFound, errorBody("not found"))
	default:
		writeJSON(w, http.StatusOK, view)
	}
}

// handleCustomer answers the session customer's profile, ignoring the user_id parameter that old
// clients still send; 401 without a session.
func (a *app) handleCustomer(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	target := c
	if c != nil && a.bugs.Has("user-param") {
		if id := r.URL.Query().Get("user_id"); id != "" {
			// Bug user-param: the profile is looked up by the id the client sends.
			target = a.customerByIDLocked(id)
		}
	}
	var profile profileView
	if target != nil {
		profile = target.profile()
	}
	a.mu.Unlock()
	switch {
	case c == nil:
		unauthorized(w)
	case target == nil:
		writeJSON(w, http.StatusNotFound, errorBody("not found"))
	default:
		writeJSON(w, http.StatusOK, profile)
	}
}

// customerWithOrders is one entry of GET /api/customers.
type customerWithOrders struct {
	ID     string      `json:"id"`
	Email  string      `json:"email"`
	Name   string      `json:"name"`
	Orders []orderView `json:"orders"`
}

// handleCustomers is the raw customers table endpoint. Clean: 403 for everyone, since no client
// needs it. Only the client-filter bug opens it, to any session, because its dashboard reads it.
func (a *app) handleCustomers(w http.ResponseWriter, r *http.Request) {
	if !a.bugs.Has("client-filter") {
		writeJSON(w, http.StatusForbidden, errorBody("forbidden"))
		return
	}
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	list := []customerWithOrders{}
	if c != nil {
		for _, cu := range a.customers {
			entry := customerWithOrders{ID: cu.ID, Email: cu.Email, Name: cu.Name, Orders: []orderView{}}
			for _, o := range a.orders {
				if o.CustomerID == cu.ID {
					entry.Orders = append(entry.Orders, o.view())
				}
			}
			list = append(list, entry)
		}
	}
	a.mu.Unlock()
	if c == nil {
		unauthorized(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": list})
}

// checkoutPlan returns the product and price (cents) POST /api/checkout sells for a plan name.
func checkoutPlan(plan string) (product string, amount int64, ok bool) {
	switch plan {
	case "starter":
		return "Starter plan", 1900, true
	case "pro":
		return "Pro plan", 4900, true
	}
	return "", 0, false
}

// handleCheckout creates a checkout session owned by the session customer. The optional body
// {"plan":"starter"|"pro"} picks the plan (default pro). 401 without a session.
func (a *app) handleCheckout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Plan string `json:"plan"`
	}
	if body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10)); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("unreadable body"))
		return
	} else if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody("invalid JSON body"))
			return
		}
	}
	if req.Plan == "" {
		req.Plan = "pro"
	}
	product, amount, ok := checkoutPlan(req.Plan)
	if !ok {
		writeJSON(w, http.StatusBadRequest, errorBody("unknown plan"))
		return
	}
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	var id string
	if c != nil {
		id = "cs_test_" + rand.Text()
		a.checkouts[id] = &checkoutSession{ID: id, CustomerID: c.ID, Product: product, Amount: amount}
	}
	a.mu.Unlock()
	if c == nil {
		unauthorized(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"checkout_session_id": id, "url": "/checkout/success?session_id=" + id})
}

// handleEntitlements answers the session customer's plan and entitlements (never null); 401 without a session.
func (a *app) handleEntitlements(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	var body map[string]any
	if c != nil {
		ents := append([]entitlement{}, c.entitlements...)
		body = map[string]any{"plan": c.Plan, "entitlements": ents}
	}
	a.mu.Unlock()
	if c == nil {
		unauthorized(w)
		return
	}
	writeJSON(w, http.StatusOK, body)
}
