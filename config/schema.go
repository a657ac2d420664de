package config

import (
	"time"

	"gopkg.in/yaml.v3"
)

// The documents below mirror the YAML schema. The strict decoder (decode.go) maps YAML keys to fields
// by their yaml tags, so a new config field is a new struct field with a yaml tag here, plus its
// validation and its copy into the resolved type in validate.go.
//
// Conventions the decoder understands:
//   - a field of type pos (tag "-") receives the line of the mapping and the line of each key's value;
//   - ordered[T] is a YAML mapping name -> T whose order is kept; its struct tag entry:"noun" names an
//     entry in messages (route "profile");
//   - a slice of structs is a YAML list; entry:"noun" names an item (account "alice");
//   - a pointer field stays nil when its key is absent or null, so a default can be told from a zero;
//   - string, bool, int64 and float64 are scalars; every scalar value is interpolated.

// Defaults of a target.
const (
	DefaultRequestTimeout  = 10 * time.Second
	DefaultScenarioTimeout = 60 * time.Second
	DefaultLoginPage       = "/login"
	DefaultMaxBodyBytes    = int64(10 << 20)
	DefaultUsernameField   = "email"
	DefaultPasswordField   = "password"
	DefaultSubmit          = "button[type=submit]"
	DefaultJSONLoginPath   = "/api/login"
	DefaultFormLoginPath   = "/login"
)

// pos records where a mapping and each of its keys' values are.
type pos struct {
	Line   int
	Fields map[string]int
}

// line returns the line of a field's value, or the mapping's line when the field is absent.
func (p pos) line(field string) int {
	if l, ok := p.Fields[field]; ok && l > 0 {
		return l
	}
	return p.Line
}

// entry is one name -> value pair of an ordered mapping; Line is the line of the name and Node the
// value as parsed.
type entry[T any] struct {
	Key   string
	Line  int
	Node  *yaml.Node
	Value T
}

// ordered is a YAML mapping whose order is kept.
type ordered[T any] []entry[T]

func (ordered[T]) orderedMapping() {}

type fileDoc struct {
	Pos     pos                `yaml:"-"`
	Targets ordered[targetDoc] `yaml:"targets" entry:"target"`
}

type targetDoc struct {
	Pos            pos               `yaml:"-"`
	Embedded       bool              `yaml:"embedded"`
	BaseURL        string            `yaml:"base_url"`
	AllowMutations bool              `yaml:"allow_mutations"`
	InsecureTLS    bool              `yaml:"insecure_tls"`
	Timeouts       timeoutsDoc       `yaml:"timeouts"`
	RateLimit      float64           `yaml:"rate_limit"`
	LoginPage      *string           `yaml:"login_page"`
	MaxBodyBytes   *int64            `yaml:"max_body_bytes"`
	Routes         ordered[routeDoc] `yaml:"routes" entry:"route"`
	Accounts       []accountDoc      `yaml:"accounts" entry:"account"`
	Webhook        webhookDoc        `yaml:"webhook"`
	Session        sessionDoc        `yaml:"session"`
	Browser        browserDoc        `yaml:"browser"`
	Bundle         bundleDoc         `yaml:"bundle"`
	Production     productionDoc     `yaml:"production"`
}

type productionDoc struct {
	Pos      pos             `yaml:"-"`
	Canaries ordered[string] `yaml:"canaries" entry:"canary"`
	Hosts    []string        `yaml:"hosts"`
	Secrets  []string        `yaml:"secrets"`
}

type webhookDoc struct {
	Pos                 pos    `yaml:"-"`
	Path                string `yaml:"path"`
	Secret              string `yaml:"secret"`
	CustomerFingerprint string `yaml:"customer_fingerprint"`
}

type sessionDoc struct {
	Pos          pos    `yaml:"-"`
	LogoutPath   string `yaml:"logout_path"`
	LogoutMethod string `yaml:"logout_method"`
	ExpiredToken string `yaml:"expired_token"`
	JWTSecret    string `yaml:"jwt_secret"`
}

type browserDoc struct {
	Pos           pos     `yaml:"-"`
	CDPURL        string  `yaml:"cdp_url"`
	ActionTimeout *string `yaml:"action_timeout"`
}

type bundleDoc struct {
	Pos        pos      `yaml:"-"`
	EntryPages []string `yaml:"entry_pages"`
	MaxPages   *int64   `yaml:"max_pages"`
	MaxBytes   *int64   `yaml:"max_bytes"`
}

type timeoutsDoc struct {
	Pos      pos     `yaml:"-"`
	Request  *string `yaml:"request"`
	Scenario *string `yaml:"scenario"`
}

type routeDoc struct {
	Pos           pos      `yaml:"-"`
	Path          string   `yaml:"path"`
	Kind          string   `yaml:"kind"`
	Protected     *bool    `yaml:"protected"`
	Personalised  bool     `yaml:"personalised"`
	AllowedFields []string `yaml:"allowed_fields"`
}

type accountDoc struct {
	Pos          pos             `yaml:"-"`
	Name         string          `yaml:"name"`
	Username     string          `yaml:"username"`
	Password     string          `yaml:"password"`
	Login        loginDoc        `yaml:"login"`
	Fingerprints ordered[string] `yaml:"fingerprints" entry:"fingerprint"`
}

type loginDoc struct {
	Pos           pos    `yaml:"-"`
	Strategy      string `yaml:"strategy"`
	Path          string `yaml:"path"`
	UsernameField string `yaml:"username_field"`
	PasswordField string `yaml:"password_field"`
	TokenField    string `yaml:"token_field"`
	SessionCookie string `yaml:"session_cookie"`
	Token         string `yaml:"token"`
	Submit        string `yaml:"submit"`
}
