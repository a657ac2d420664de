package steps

import (
	"context"
	"fmt"
	"net/http"
)

func expirySteps() []Def {
	return []Def{{
		Pattern:     `^(\w+) logs out and keeps the old session$`,
		Description: "Logs the account out through the config's session.logout_path, then puts the old cookies and token back: a replay of a revoked session. From then on even the account's own data counts as a leak in that session.",
		Example:     "When alice logs out and keeps the old session",
		Group:       "sessions",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).logsOutKeepingSession),
	}, {
		Pattern:     `^(\w+)'s session is tampered with$`,
		Description: "Alters the account's session cookie (the config's login.session_cookie) and bearer token, as an attacker guessing or editing one would. The session then owns no data.",
		Example:     "When alice's session is tampered with",
		Group:       "sessions",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).sessionTampered),
	}}
}

// logsOutKeepingSession: `^(\w+) logs out and keeps the old session$`.
func (w *World) logsOutKeepingSession(ctx context.Context, name string) error {
	s, err := w.session(name)
	if err != nil {
		return err
	}
	cfg := w.run.Target.Session
	if cfg.LogoutPath == "" {
		return fmt.Errorf("target %q has no session.logout_path in the config: set the path that logs a session out", w.run.Target.Name)
	}
	cookies, token := s.Cookies(), s.Bearer()
	if len(cookies) == 0 && token == "" {
		return fmt.Errorf("%s has no session to log out: log in first", name)
	}
	resp, err := s.Do(ctx, cfg.LogoutMethod, cfg.LogoutPath, nil, "")
	if err != nil {
		return err
	}
	if resp.Status >= 400 {
		return fmt.Errorf("logging %s out: %s answered %d", name, resp.Describe(), resp.Status)
	}
	s.SetCookies(cookies)
	s.SetBearer(token)
	s.Invalidate()
	return nil
}

// sessionTampered: `^(\w+)'s session is tampered with$`.
func (w *World) sessionTampered(_ context.Context, name string) error {
	s, err := w.session(name)
	if err != nil {
		return err
	}
	tampered := false
	if cookieName := s.Account.Login.SessionCookie; cookieName != "" {
		for _, c := range s.Cookies() {
			if c.Name == cookieName {
				c.Value = tamper(c.Value)
				s.SetCookies([]*http.Cookie{c})
				tampered = true
			}
		}
	}
	if tok := s.Bearer(); tok != "" {
		s.SetBearer(tamper(tok))
		tampered = true
	}
	if !tampered {
		return fmt.Errorf("%s has no session cookie (login.session_cookie in the config) or bearer token to tamper with: log in first", name)
	}
	s.Invalidate()
	return nil
}

// tamper changes a token's last characters while keeping its shape.
func tamper(v string) string {
	if len(v) < 4 {
		return v + "x"
	}
	b := []byte(v)
	for i := len(b) - 4; i < len(b); i++ {
		switch {
		case b[i] >= 'a' && b[i] < 'z', b[i] >= 'A' && b[i] < 'Z', b[i] >= '0' && b[i] < '9':
			b[i]++
		default:
			b[i] = 'a'
		}
	}
	return string(b)
}
