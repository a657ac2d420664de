package config

import (
	"fmt"
	"slices"
	"strings"
)

// Interpolate expands environment references in one config value:
//   - ${NAME} is the value of NAME; it is an error when NAME is not set.
//   - ${NAME:-default} is the value of NAME, or default when NAME is unset or empty. The default is taken
//     literally (it may not contain "${").
//   - $$ is a literal "$". Any other "$" is kept as it is.
//
// NAME is a letter or "_" followed by letters, digits or "_". A value may mix text and several references.
// The error lists every variable that is not set.
func Interpolate(value string, lookupEnv func(string) (string, bool)) (string, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	out, _, missing, err := expand(value, lookupEnv)
	if err != nil {
		return "", err
	}
	switch len(missing) {
	case 0:
		return out, nil
	case 1:
		return "", fmt.Errorf("environment variable %s is not set", missing[0])
	default:
		return "", fmt.Errorf("environment variables %s are not set", strings.Join(missing, ", "))
	}
}

// expand interpolates s. It returns the expanded text, how many ${...} references s holds, the names
// of referenced variables lookup lacks (each once, in order), and a syntax error if s is malformed.
// With a nil lookup nothing is looked up: references and defaults are counted, not resolved.
func expand(s string, lookup func(string) (string, bool)) (out string, refs int, missing []string, err error) {
	if !strings.Contains(s, "$") {
		return s, 0, nil, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i += 2
			continue
		case '{':
		default:
			b.WriteByte('$')
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", refs, missing, fmt.Errorf(`unterminated "${" at character %d of the value; close it with "}", or write "$$" for a literal "$"`, i+1)
		}
		body := s[i+2 : i+2+end]
		i += 2 + end + 1
		name, def, hasDef := strings.Cut(body, ":-")
		if name == "" {
			return "", refs, missing, fmt.Errorf(`empty variable name in "${%s}"; write ${NAME} or ${NAME:-default}`, body)
		}
		if !validVarName(name) {
			return "", refs, missing, fmt.Errorf(`invalid variable name %q in a "${...}" reference; a name is letters, digits and "_" and does not start with a digit; write ${NAME} or ${NAME:-default}`, name)
		}
		if hasDef && strings.Contains(def, "${") {
			return "", refs, missing, fmt.Errorf(`nested "${" in the default of ${%s:-...} is not supported; the default is literal text`, name)
		}
		refs++
		if lookup == nil {
			continue
		}
		v, ok := lookup(name)
		switch {
		case ok && (v != "" || !hasDef):
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		default:
			if !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
		}
	}
	return b.String(), refs, missing, nil
}

func validVarName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return name != ""
}
