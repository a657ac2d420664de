package steps

import (
	"context"
	"errors"
	"fmt"

	"regress/config"
)

func sessionSteps() []Def {
	return []Def{{
		Pattern:     `^(\w+) is logged in$`,
		Description: "Logs the account in with the login strategy from its config; its session keeps the cookie or token.",
		Example:     "Given alice is logged in",
		Group:       "sessions",
		Args:        []string{ArgAccount},
		Handler:     h1((*World).isLoggedIn),
	}}
}

// isLoggedIn: `^(\w+) is logged in$`.
func (w *World) isLoggedIn(ctx context.Context, name string) error {
	a, err := w.account(name)
	if err != nil {
		return err
	}
	if a.Login.Strategy == config.StrategyBrowser {
		// Apps whose login needs JavaScript (e.g. Server Actions) log in in the browser; the
		// cookies are mirrored back into the HTTP session there.
		return w.logsInThroughBrowser(ctx, name)
	}
	s, err := w.session(name)
	if err != nil {
		return err
	}
	if err := s.Login(ctx); err != nil {
		return errors.Join(err, w.takeLeaks())
	}
	w.run.sessionSecrets(s)
	// The login's own answers go through the sentinel too.
	if err := w.takeLeaks(); err != nil {
		return fmt.Errorf("logging %s in: %w", name, err)
	}
	return nil
}
