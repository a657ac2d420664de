package demo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// Keys the client bundle carries. The publishable key and the anon JWT are meant to be public. The
// secret key and the service-role JWT must never leave the server; only the service-key bug ships
// them. All are fake demo values (the secret key is split so that it is not one literal).
const (
	stripePublishableKey = "pk_test_demo51HxQ2kLr8VnDemoPublishableKey0001"
	stripeSecretKey      = "sk_" + "live_" + "51HxDemoFakeSecretKeyNotReal00000001"
	jwtDemoSecret        = "demo-supabase-jwt-secret-not-a-real-secret"
	supabaseURL          = "/supabase"
)

// demoJWT returns an HS256 JWT over payload (JSON), signed with the demo JWT secret, shaped like
// a Supabase API key.
func demoJWT(payload string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(jwtDemoSecret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// appBundle returns /static/app.js: the client configuration every page loads.
func appBundle(bugs Bugs) string {
	var b strings.Builder
	b.WriteString("// Funnel Demo client bundle.\n")
	b.WriteString("(function () {\n  \"use strict\";\n  window.funnelConfig = {\n")
	b.WriteString("    stripePublishableKey: \"" + stripePublishableKey + "\",\n")
	b.WriteString("    supabaseUrl: \"" + supabaseURL + "\",\n")
	b.WriteString("    supabaseAnonKey: \"" + demoJWT(`{"role":"anon","iss":"supabase"}`) + "\",\n")
	if bugs.Has("service-key") {
		// Bug service-key: server-only keys were put in the shared config module, which the
		// bundler then inlined into the client bundle.
		b.WriteString("    stripeSecretKey: \"" + stripeSecretKey + "\",\n")
		b.WriteString("    supabaseServiceRoleKey: \"" + demoJWT(`{"role":"service_role","iss":"supabase"}`) + "\",\n")
	}
	if bugs.Has("preview-prod") {
		// Bug preview-prod: the preview build took production's public API URL.
		b.WriteString("    apiBase: \"https://" + ProductionAPIHost + "\",\n")
	}
	b.WriteString("  };\n})();\n")
	return b.String()
}

// dashboardScript renders the session customer's orders into #orders. LOAD_ORDERS is replaced by
// the code that fetches them and calls render.
const dashboardScript = `// Funnel Demo dashboard: renders the signed-in customer's orders.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  var list = document.getElementById("orders");
  if (!root || !list) { return; }
  function money(cents) { return "$" + (cents / 100).toFixed(2); }
  function render(orders) {
    list.textContent = "";
    orders.forEach(function (o) {
      var li = document.createElement("li");
      li.className = "order";
      li.setAttribute("data-order-id", o.id);
      li.textContent = o.id + " · " + o.product + " · " + money(o.amount) + " · " + o.status;
      list.appendChild(li);
    });
    if (orders.length === 0) {
      var empty = document.createElement("p");
      empty.id = "empty-orders";
      empty.textContent = "No orders yet";
      list.parentNode.insertBefore(empty, list.nextSibling);
    }
    list.setAttribute("data-state", "ready");
  }
  function fail() {
    var e = document.getElementById("orders-error");
    e.textContent = "Could not load your orders.";
    e.hidden = false;
    list.setAttribute("data-state", "error");
  }
  function json(res) {
    if (!res.ok) { throw new Error("HTTP " + res.status); }
    return res.json();
  }
LOAD_ORDERS})();
`

// dashboardBundle returns /static/dashboard.js.
func dashboardBundle(bugs Bugs) string {
	load := `  fetch("/api/orders", { credentials: "same-origin" }).then(json).then(function (body) {
    render(body.orders || []);
  }).catch(fail);
`
	if bugs.Has("client-filter") {
		// Bug client-filter: the script reads the whole customers table and keeps the signed-in
		// customer's row in the browser; the screen looks right, the network carries everyone.
		load = `  fetch("/api/customers", { credentials: "same-origin" }).then(json).then(function (body) {
    var email = root.getAttribute("data-email");
    var mine = (body.customers || []).filter(function (c) { return c.email === email; });
    render(mine.length ? mine[0].orders : []);
  }).catch(fail);
`
	}
	if bugs.Has("preview-prod") {
		// Bug preview-prod: the preview's script also reports to the production backend.
		load += `  fetch("https://` + ProductionAPIHost + `/v1/activity", { mode: "no-cors" }).catch(function () {});
`
	}
	return strings.Replace(dashboardScript, "LOAD_ORDERS", load, 1)
}

func (a *app) handleAppJS(w http.ResponseWriter, r *http.Request) {
	writeScript(w, a.appJS)
}

func (a *app) handleDashboardJS(w http.ResponseWriter, r *http.Request) {
	writeScript(w, a.dashboardJS)
}

func writeScript(w http.ResponseWriter, js string) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write([]byte(js))
}
