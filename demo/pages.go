package demo

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
)

// pageTemplates holds every HTML page. Pages never show one customer's data to anyone else; the
// landing, pricing and login pages show no customer data at all.
const pageTemplates = `
{{define "top"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Funnel Demo</title>
</head>
<body>
<nav><a href="/">Funnel Demo</a> · <a href="/pricing">Pricing</a> · <a href="/dashboard">Dashboard</a> · <a href="/account">Account</a> · <a href="/login">Log in</a></nav>
{{end}}

{{define "bottom"}}<script src="/static/app.js"></script>
</body>
</html>
{{end}}

{{define "landing"}}{{template "top" .}}<main id="landing">
<h1>Ship your SaaS checkout in an afternoon</h1>
<p>Funnel Demo turns visitors into paying customers with a hosted checkout and a customer dashboard.</p>
<p><a id="cta-pricing" href="/pricing">See pricing</a> or <a id="cta-login" href="/login">log in</a>.</p>
</main>
{{template "bottom" .}}{{end}}

{{define "pricing"}}{{template "top" .}}<main id="pricing">
<h1>Pricing</h1>
<ul id="plans">
<li data-plan="free">Free: $0 / month</li>
<li data-plan="starter">Starter: $19 / month</li>
<li data-plan="pro">Pro: $49 / month</li>
</ul>
<p><a href="/login">Log in to upgrade</a></p>
</main>
{{template "bottom" .}}{{end}}

{{define "login"}}{{template "top" .}}<main id="login">
<h1>Log in</h1>
{{if .Error}}<p id="login-error" role="alert">{{.Error}}</p>{{end}}
<form id="login-form" method="post" action="/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="login-submit" type="submit">Log in</button>
</form>
</main>
{{template "bottom" .}}{{end}}

{{define "dashboard"}}{{template "top" .}}<main id="dashboard" data-email="{{.Customer.Email}}">
<h1>Welcome back, <span id="customer-name">{{.Customer.Name}}</span></h1>
<p>Signed in as <span id="customer-email">{{.Customer.Email}}</span></p>
<h2>Your orders</h2>
<ul id="orders" data-state="loading"></ul>
<p id="orders-error" role="alert" hidden></p>
<form id="logout-form" method="post" action="/logout"><button id="logout-submit" type="submit">Log out</button></form>
</main>
<script src="/static/dashboard.js"></script>
{{template "bottom" .}}{{end}}

{{define "account"}}{{template "top" .}}<main id="account">
<h1>Account</h1>
<dl>
<dt>Name</dt><dd id="customer-name">{{.Customer.Name}}</dd>
<dt>Email</dt><dd id="customer-email">{{.Customer.Email}}</dd>
<dt>Plan</dt><dd id="customer-plan">{{.Customer.Plan}}</dd>
</dl>
<h2>Orders</h2>
{{if .Orders}}<ul id="account-orders">
{{range .Orders}}<li class="order" data-order-id="{{.ID}}">{{.ID}} · {{.Product}} · {{money .Amount}} · {{.Status}}</li>
{{end}}</ul>{{else}}<p id="empty-orders">No orders yet</p>{{end}}
{{if .Recent}}<section id="recent-purchases"><h2>Recently purchased</h2><ul>
{{range .Recent}}<li data-customer="{{.Customer}}">{{.Email}} · {{.Product}}</li>
{{end}}</ul></section>{{end}}
<form id="logout-form" method="post" action="/logout"><button id="logout-submit" type="submit">Log out</button></form>
</main>
{{template "bottom" .}}{{end}}

{{define "success"}}{{template "top" .}}<main id="checkout-success">
<h1>Thank you, <span id="customer-name">{{.Customer.Name}}</span>!</h1>
<p>Your order is confirmed. A receipt is on its way to <span id="customer-email">{{.Customer.Email}}</span>.</p>
<p id="checkout-summary">{{.Checkout.Product}} · {{money .Checkout.Amount}} · checkout <span id="checkout-id">{{.Checkout.ID}}</span></p>
<p><a href="/dashboard">Go to your dashboard</a></p>
</main>
{{template "bottom" .}}{{end}}
`

// pageData is what the page templates read.
type pageData struct {
	Title    string
	Error    string
	Customer profileView
	Orders   []orderView
	Checkout checkoutSession
	Recent   []recentPurchase
}

func money(cents int64) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }

func parsePages() *template.Template {
	return template.Must(template.New("pages").Funcs(template.FuncMap{"money": money}).Parse(pageTemplates))
}

// render executes one page template into memory, so that a template error becomes a clean 500.
func (a *app) render(name string, data pageData) ([]byte, error) {
	var buf bytes.Buffer
	if err := a.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// writePage renders a page and writes it with the given status; headers are set by the caller.
func (a *app) writePage(w http.ResponseWriter, status int, name string, data pageData) {
	page, err := a.render(name, data)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, page)
}

func writeHTML(w http.ResponseWriter, status int, page []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

// setPersonalHeaders sets the caching headers of a page rendered for one customer: clean, no cache
// may store it and any cache must key it by cookie.
func (a *app) setPersonalHeaders(h http.Header) {
	switch {
	case a.bugs.Has("cache-shared"):
		// Bug cache-shared: the page is marked cacheable at the edge "for speed", and nothing
		// tells the edge that it differs per cookie.
		h.Set("Cache-Control", "public, s-maxage=300")
	case a.bugs.Has("cache-headers"):
		// Bug cache-headers: a plain max-age, neither private nor no-store, and no Vary.
		h.Set("Cache-Control", "max-age=300")
	default:
		h.Set("Cache-Control", "private, no-store")
		h.Set("Vary", "Cookie")
	}
}

// redirectToLogin sends a visitor without a valid session to /login, dropping a dead session cookie.
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	if presentedToken(r) != "" {
		clearSessionCookie(w)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/login", http.StatusFound)
}

func (a *app) handleLanding(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=60")
	a.writePage(w, http.StatusOK, "landing", pageData{Title: "Home"})
}

func (a *app) handlePricing(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=60")
	a.writePage(w, http.StatusOK, "pricing", pageData{Title: "Pricing"})
}

func (a *app) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	a.renderLogin(w, http.StatusOK, "")
}

func (a *app) renderLogin(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	a.writePage(w, status, "login", pageData{Title: "Log in", Error: msg})
}

// handleDashboard renders the session customer's dashboard; its orders are filled in by
// /static/dashboard.js. Without a valid session it redirects (302) to /login.
func (a *app) handleDashboard(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	var data pageData
	if c != nil {
		data = pageData{Title: "Dashboard", Customer: c.profile()}
	}
	stale := a.lastDashboard
	var former *customer // whose session the presented, ended token was
	if id, ok := a.endedSessions[presentedToken(r)]; ok {
		former = a.customerByIDLocked(id)
	}
	a.mu.Unlock()
	if c == nil {
		returning := presentedToken(r) != "" || len(r.Cookies()) > 0
		if returning && a.bugs.Has("expired-fallback") {
			// Bug expired-fallback: a returning visitor (one with any of our cookies) whose
			// session no longer resolves is treated as "render what we had" rather than "log in
			// again": the ended session's own dashboard, else the last dashboard rendered.
			if former != nil {
				if page, err := a.render("dashboard", pageData{Title: "Dashboard", Customer: former.profile()}); err == nil {
					stale = page
				}
			}
			if stale != nil {
				a.setPersonalHeaders(w.Header())
				writeHTML(w, http.StatusOK, stale)
				return
			}
		}
		redirectToLogin(w, r)
		return
	}
	page, err := a.render("dashboard", data)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	a.mu.Lock()
	a.lastDashboard = page
	a.mu.Unlock()
	a.setPersonalHeaders(w.Header())
	writeHTML(w, http.StatusOK, page)
}

// handleAccount renders the session customer's profile, plan and orders; without a valid session
// it redirects (302) to /login.
func (a *app) handleAccount(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	var data pageData
	if c != nil {
		data = pageData{Title: "Account", Customer: c.profile(), Orders: a.ordersOfLocked(c.ID)}
		if a.bugs.Has("preview-prod") {
			// Bug preview-prod: the preview's database URL is production's, so the "recently
			// purchased" widget shows production customers.
			data.Recent = productionRecentPurchases()
		}
	}
	a.mu.Unlock()
	if c == nil {
		redirectToLogin(w, r)
		return
	}
	a.setPersonalHeaders(w.Header())
	a.writePage(w, http.StatusOK, "account", data)
}

// handleCheckoutSuccess confirms a checkout (?session_id=cs_...) to the customer who owns it.
// Anyone else, with or without a session, is redirected (302) to /login.
func (a *app) handleCheckoutSuccess(w http.ResponseWriter, r *http.Request) {
	leak := a.bugs.Has("success-leak")
	a.mu.Lock()
	c := a.sessionCustomerLocked(r)
	cs, found := a.checkouts[r.URL.Query().Get("session_id")]
	var owner *customer
	if found {
		owner = a.customerByIDLocked(cs.CustomerID)
	}
	var data pageData
	if owner != nil {
		data = pageData{Title: "Order confirmed", Customer: owner.profile(), Checkout: *cs}
	}
	a.mu.Unlock()
	if leak {
		// Bug success-leak: the page trusts the unguessable-looking session_id as if it were
		// authentication, and is cached publicly like a static thank-you page.
		if owner == nil {
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "checkout not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=600")
		a.writePage(w, http.StatusOK, "success", data)
		return
	}
	if c == nil || owner == nil || owner.ID != c.ID {
		redirectToLogin(w, r)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Vary", "Cookie")
	a.writePage(w, http.StatusOK, "success", data)
}
