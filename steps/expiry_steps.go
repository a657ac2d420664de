package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"regress/steps/session"
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
		return errors.Join(err, w.takeLeaks())
	}
	if err := w.takeLeaks(); err != nil {
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
	return w.replaceToken(s, func(old string) (string, error) { return tamper(old), nil })
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

func tokenExpirySteps() []Def {
	return []Def{{
		Pattern:     `^(\w+) presents the pre-expired session token$`,
		Description: "Replaces the account's session cookie (login.session_cookie) and bearer token with the config's session.expired_token, a token that has already expired. The session then owns no data.",
		Example:     "When alice presents the pre-expired session token",
		Group:       "sessions",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).presentsExpiredToken),
	}, {
		Pattern:     `^(\w+)'s session token is re-signed with a past expiry$`,
		Description: "For HS256 JWT sessions: copies the account's own token, sets its exp an hour in the past and signs it with the config's session.jwt_secret (staging only), as a token that simply expired would look.",
		Example:     "When alice's session token is re-signed with a past expiry",
		Group:       "sessions",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).resignedWithPastExpiry),
	}}
}

// presentsExpiredToken: `^(\w+) presents the pre-expired session token$`.
func (w *World) presentsExpiredToken(_ context.Context, name string) error {
	token := w.run.Target.Session.ExpiredToken
	if token == "" {
		return fmt.Errorf("target %q has no session.expired_token in the config", w.run.Target.Name)
	}
	s, err := w.session(name)
	if err != nil {
		return err
	}
	return w.replaceToken(s, func(string) (string, error) { return token, nil })
}

// resignedWithPastExpiry: `^(\w+)'s session token is re-signed with a past expiry$`.
func (w *World) resignedWithPastExpiry(_ context.Context, name string) error {
	secret := w.run.Target.Session.JWTSecret
	if secret == "" {
		return fmt.Errorf("target %q has no session.jwt_secret in the config", w.run.Target.Name)
	}
	s, err := w.session(name)
	if err != nil {
		return err
	}
	return w.replaceToken(s, func(old string) (string, error) { return expiredCopy(old, secret) })
}

// expiredCopy returns the JWT with the same claims, exp an hour ago, signed HS256 with secret.
func expiredCopy(token, secret string) (string, error) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return "", fmt.Errorf("the session token is not a JWT: %w", err)
	}
	past := time.Now().Add(-time.Hour)
	claims["exp"] = past.Unix()
	if _, ok := claims["iat"]; ok {
		claims["iat"] = past.Add(-time.Hour).Unix()
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// replaceToken swaps the session's cookie (login.session_cookie) and bearer token through
// change, and invalidates the session.
func (w *World) replaceToken(s *session.Session, change func(old string) (string, error)) error {
	replaced := false
	if cookieName := s.Account.Login.SessionCookie; cookieName != "" {
		for _, c := range s.Cookies() {
			if c.Name != cookieName {
				continue
			}
			v, err := change(c.Value)
			if err != nil {
				return err
			}
			c.Value = v
			s.SetCookies([]*http.Cookie{c})
			replaced = true
		}
	}
	if tok := s.Bearer(); tok != "" {
		v, err := change(tok)
		if err != nil {
			return err
		}
		s.SetBearer(v)
		replaced = true
	}
	if !replaced {
		return fmt.Errorf("%s has no session cookie (login.session_cookie in the config) or bearer token: log in first", s.Name)
	}
	s.Invalidate()
	return nil
}
