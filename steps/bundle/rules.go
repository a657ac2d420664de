package bundle

import (
	"regexp"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// ConfigSecretRule is the rule ID of findings for the configuration's own secret values.
const ConfigSecretRule = "config-secret"

// Rule is one kind of secret that must never reach a browser.
type Rule struct {
	ID, Description string

	keywords  []string                // the text must contain one of these for the pattern to be tried
	pattern   *regexp.Regexp          // submatch 1 is the value
	normalize func(string) string     // nil keeps the value as matched
	accept    func(value string) bool // nil accepts every match
}

// The leading group of each pattern stands in for a word boundary: a key must not continue an
// identifier such as "task_live_..." in minified code.
var (
	stripeSecretRE     = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(sk_(?:live|test)_[A-Za-z0-9]{10,})`)
	stripeRestrictedRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(rk_(?:live|test)_[A-Za-z0-9]{10,})`)
	stripeWebhookRE    = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(whsec_[A-Za-z0-9+/=]{20,})`)
	supabaseSecretRE   = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(sb_secret_[A-Za-z0-9_-]{10,})`)
	jwtRE              = regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)`)
	awsAccessKeyRE     = regexp.MustCompile(`\b((?:AKIA|ASIA)[A-Z0-9]{16})\b`)
	// The value takes in the start of the key material (across real or escaped line breaks), so two
	// different keys in one asset are two findings.
	privateKeyRE = regexp.MustCompile(`(-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |)PRIVATE KEY-----(?:\s|\\+[rn])*[A-Za-z0-9+/=]{0,64})`)
	keyBreakRE   = regexp.MustCompile(`(?:\s|\\+[rn])+`)
)

// Rules returns the rule set in its fixed order. Publishable values (Stripe pk_live_/pk_test_
// keys, Supabase sb_publishable_ keys, anon and authenticated JWTs) match no rule. The last
// rule, config-secret, stands for the extra values given to Scan.
func Rules() []Rule {
	return []Rule{
		{
			ID:          "stripe-secret-key",
			Description: "Stripe secret API key (sk_live_/sk_test_)",
			keywords:    []string{"sk_live_", "sk_test_"},
			pattern:     stripeSecretRE,
		},
		{
			ID:          "stripe-restricted-key",
			Description: "Stripe restricted API key (rk_live_/rk_test_)",
			keywords:    []string{"rk_live_", "rk_test_"},
			pattern:     stripeRestrictedRE,
		},
		{
			ID:          "stripe-webhook-secret",
			Description: "Stripe webhook signing secret (whsec_)",
			keywords:    []string{"whsec_"},
			pattern:     stripeWebhookRE,
		},
		{
			ID:          "supabase-secret-key",
			Description: "Supabase secret API key (sb_secret_)",
			keywords:    []string{"sb_secret_"},
			pattern:     supabaseSecretRE,
		},
		{
			ID:          "supabase-service-role-jwt",
			Description: `JWT whose payload has "role": "service_role" (Supabase service-role key; anon and authenticated JWTs are public)`,
			keywords:    []string{"eyJ"},
			pattern:     jwtRE,
			accept:      isServiceRoleJWT,
		},
		{
			ID:          "aws-access-key",
			Description: "AWS access key ID (AKIA/ASIA + 16 characters; AWS's documentation examples ending in EXAMPLE are ignored)",
			keywords:    []string{"AKIA", "ASIA"},
			pattern:     awsAccessKeyRE,
			accept:      func(v string) bool { return !strings.HasSuffix(v, "EXAMPLE") },
		},
		{
			ID:          "private-key",
			Description: "PEM private key block (-----BEGIN ... PRIVATE KEY-----)",
			keywords:    []string{"PRIVATE KEY-----"},
			pattern:     privateKeyRE,
			normalize:   compactKey,
		},
		{
			ID:          ConfigSecretRule,
			Description: "a secret value from the regress configuration (passwords, tokens, signing secrets) appearing literally or JSON-escaped",
		},
	}
}

// compactKey drops the line breaks, real or escaped (once or twice), between a private key's header and its
// material, so one key reads the same in a script and in a source map's decoded source.
func compactKey(v string) string {
	const end = "KEY-----"
	i := strings.Index(v, end) + len(end)
	return v[:i] + keyBreakRE.ReplaceAllString(v[i:], "")
}

// isServiceRoleJWT reports whether s decodes, without verification, to claims with
// role "service_role". Strings that do not decode are not findings.
func isServiceRoleJWT(s string) bool {
	claims := jwt.MapClaims{}
	// The claims are decoded before the signing method is looked up, so an unknown "alg" or a
	// broken signature segment still leaves them filled in; a header or payload that does not
	// decode leaves them empty.
	_, _, _ = jwt.NewParser().ParseUnverified(s, claims)
	role, _ := claims["role"].(string)
	return role == "service_role"
}
