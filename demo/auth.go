package demo

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

const (
	sessionCookie = "demo_session"
	prefsCookie   = "demo_prefs"
)

// session is a server-side session; its key in app.sessions is the opaque token the client holds.
type session struct {
	customerID string
	expires    time.Time
}

// presentedToken returns the session token the request carries: the session cookie, else an
// `Authorization: Bearer` token; "" when it carries neither.
func presentedToken(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		return c.Value
	}
	if h := r.Header.Get("Authorization"); len(h) > len("Bearer ") && strings.EqualFold(h[:len("Bearer ")], "Bearer ") {
		return strings.TrimSpace(h[len("Bearer "):])
	}
	return ""
}

// sessionCustomerLocked returns the customer of the request's session, or nil when the request
// presents no token or an unknown (revoked, tampered) or expired one. The caller holds a.mu.
func (a *app) sessionCustomerLocked(r *http.Request) *customer {
	token := presentedToken(r)
	if token == "" {
		return nil
	}
	s, ok := a.sessions[token]
	if !ok {
		return nil
	}
	if !a.now().Before(s.expires) {
		a.endSessionLocked(token)
		return nil
	}
	return a.customerByIDLocked(s.customerID)
}

// checkCredentialsLocked returns the customer with that email and password, or nil. The caller holds a.mu.
func (a *app) checkCredentialsLocked(email, password string) *customer {
	email = strings.ToLower(strings.TrimSpace(email))
	hash := hashPassword(password)
	for _, c := range a.customers {
		if c.Email == email && subtle.ConstantTimeCompare([]byte(c.PasswordHash), []byte(hash)) == 1 {
			return c
		}
	}
	return nil
}

// login checks the credentials and, when they match, opens a session and returns its token.
func (a *app) login(email, password string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.checkCredentialsLocked(email, password)
	if c == nil {
		return "", false
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	token := base64.RawURLEncoding.EncodeToString(b)
	a.sessions[token] = session{customerID: c.ID, expires: a.now().Add(a.ttl)}
	return token, true
}

// logout revokes the request's session, if any.
func (a *app) logout(r *http.Request) {
	token := presentedToken(r)
	a.mu.Lock()
	a.endSessionLocked(token)
	a.mu.Unlock()
}

// endSessionLocked revokes a session and remembers whose it was. The caller holds a.mu.
func (a *app) endSessionLocked(token string) {
	if s, ok := a.sessions[token]; ok {
		a.endedSessions[token] = s.customerID
		delete(a.sessions, token)
	}
}

func setLoginCookies(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: prefsCookie, Value: "theme-light", Path: "/", SameSite: http.SameSiteLaxMode})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// handleAPILogin takes {"email","password"} and answers {"ok":true,"token":...} with the session
// cookie set, or 401.
func (a *app) handleAPILogin(w http.ResponseWriter, r *http.Request) {
	var creds struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<10)).Decode(&creds); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("invalid JSON body"))
		return
	}
	token, ok := a.login(creds.Email, creds.Password)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, errorBody("invalid credentials"))
		return
	}
	setLoginCookies(w, token)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "token": token})
}

// handleAPILogout revokes the session and clears its cookie; it answers 200 with or without one.
func (a *app) handleAPILogout(w http.ResponseWriter, r *http.Request) {
	a.logout(r)
	clearSessionCookie(w)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// handleLoginForm logs in from the HTML form: 303 to /dashboard, or 401 with the form again.
func (a *app) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		a.renderLogin(w, http.StatusBadRequest, "Invalid form")
		return
	}
	token, ok := a.login(r.PostForm.Get("email"), r.PostForm.Get("password"))
	if !ok {
		a.renderLogin(w, http.StatusUnauthorized, "Invalid email or password")
		return
	}
	setLoginCookies(w, token)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// handleLogoutForm revokes the session and sends the browser to /login.
func (a *app) handleLogoutForm(w http.ResponseWriter, r *http.Request) {
	a.logout(r)
	clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
