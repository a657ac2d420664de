package demo

// A preview deployment must never read production data nor call production backends. The demo
// knows a production dataset and backend so that the preview-prod bug has something to reach.
const (
	// ProductionCanaryEmail and ProductionCanaryCustomer identify a production record no test
	// account owns: seen anywhere, they prove the deployment read production data.
	ProductionCanaryEmail    = "canary@funnel-prod.example"
	ProductionCanaryCustomer = "cus_ProdCanary99"
	// ProductionAPIHost is the production backend's host; .invalid never resolves.
	ProductionAPIHost = "api.funnel-prod.invalid"
)

// productionRecentPurchases is what the production "recent purchases" table holds.
func productionRecentPurchases() []recentPurchase {
	return []recentPurchase{{Customer: ProductionCanaryCustomer, Email: ProductionCanaryEmail, Product: "Pro plan"}}
}

// recentPurchase is one row of the "recently purchased" widget of the account page.
type recentPurchase struct {
	Customer, Email, Product string
}
