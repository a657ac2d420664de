package session

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// LoginFunc logs a session in with its account's credentials.
type LoginFunc func(ctx context.Context, s *Session) error

// loginStrategies is the registry of HTTP login strategies by config name. The browser strategy
// lives with the browser: its sessions log in there and mirror cookies back.
var loginStrategies = map[string]LoginFunc{
	"json":  loginJSON,
	"form":  loginForm,
	"token": loginToken,
}

// Strategies lists the HTTP login strategies by name.
func Strategies() []string {
	names := make([]string, 0, len(loginStrategies))
	for n := range loginStrategies {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Login logs the session in with its account's configured strategy.
func (s *Session) Login(ctx context.Context) error {
	if s.Account == nil {
		return fmt.Errorf("the %s session has no account to log in with", Anonymous)
	}
	login, ok := loginStrategies[s.Account.Login.Strategy]
	if !ok {
		return fmt.Errorf("account %q: login strategy %q cannot log in over HTTP; HTTP strategies: %s",
			s.Account.Name, s.Account.Login.Strategy, strings.Join(Strategies(), ", "))
	}
	if err := login(ctx, s); err != nil {
		return fmt.Errorf("logging in %s: %w", s.Account.Name, err)
	}
	s.invalidated = false
	return nil
}

func loginJSON(ctx context.Context, s *Session) error {
	l := s.Account.Login
	body, err := json.Marshal(map[string]string{l.UsernameField: s.Account.Username, l.PasswordField: s.Account.Password})
	if err != nil {
		return err
	}
	resp, err := s.Do(ctx, "POST", l.Path, body, "application/json")
	if err != nil {
		return err
	}
	return s.finishLogin(resp)
}

func loginForm(ctx context.Context, s *Session) error {
	l := s.Account.Login
	form := url.Values{l.UsernameField: {s.Account.Username}, l.PasswordField: {s.Account.Password}}
	resp, err := s.Do(ctx, "POST", l.Path, []byte(form.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return err
	}
	return s.finishLogin(resp)
}

func loginToken(_ context.Context, s *Session) error {
	if s.Account.Login.Token == "" {
		return fmt.Errorf("account %q has no pre-issued token", s.Account.Name)
	}
	s.SetBearer(s.Account.Login.Token)
	return nil
}

// finishLogin accepts a 2xx or 3xx answer (a form login usually redirects) and picks up a bearer
// token when the account names the response field holding it; cookies are already in the jar.
func (s *Session) finishLogin(resp *Response) error {
	if resp.Status >= 400 {
		return fmt.Errorf("%s answered %d; check the account's username and password variables", resp.Describe(), resp.Status)
	}
	field := s.Account.Login.TokenField
	if field == "" {
		// A login that failed often still sets cookies (CSRF, callback URL): when the config names
		// the session cookie, only that one proves a session.
		if name := s.Account.Login.SessionCookie; name != "" {
			if !hasCookie(s, name) {
				return fmt.Errorf("%s answered %d but set no %s cookie: the login did not give a session; check the credentials and login.session_cookie", resp.Describe(), resp.Status, name)
			}
			return nil
		}
		if len(s.Cookies()) == 0 {
			return fmt.Errorf("%s answered %d but set no cookie; set login.token_field if the app returns a bearer token", resp.Describe(), resp.Status)
		}
		return nil
	}
	var payload map[string]any
	if err := json.Unmarshal(resp.Body, &payload); err != nil {
		return fmt.Errorf("%s: the answer is not a JSON object, so token_field %q cannot be read", resp.Describe(), field)
	}
	token, _ := payload[field].(string)
	if token == "" {
		return fmt.Errorf("%s: the answer has no string field %q holding a token", resp.Describe(), field)
	}
	s.SetBearer(token)
	return nil
}

func hasCookie(s *Session, name string) bool {
	for _, c := range s.Cookies() {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}
