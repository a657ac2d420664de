package steps

import "context"

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
	if _, err := w.account(name); err != nil {
		return err
	}
	s, err := w.session(name)
	if err != nil {
		return err
	}
	return s.Login(ctx)
}
