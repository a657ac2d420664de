// Package tagexpr parses and evaluates scenario tag expressions.
//
// It accepts godog's syntax (`@a`, `~@a`, `@a && ~@b`, `@a,@b`) and the Cucumber words
// `and`, `or`, `not` (without parentheses), validates the expression before godog sees it
// (godog panics on `"@a && "` and silently matches nothing on `"not @wip"`), and returns the
// canonical godog form so that this package and godog select exactly the same scenarios.
package tagexpr

import (
	"fmt"
	"strings"
)

// Expr is a parsed tag expression in disjunctive normal form: it matches when any clause matches,
// and a clause matches when all its terms match.
type Expr struct {
	clauses [][]term
}

type term struct {
	tag    string // without "@"
	negate bool
}

// Parse parses an expression. An empty or blank string matches every scenario.
func Parse(s string) (*Expr, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return &Expr{}, nil
	}
	if strings.ContainsAny(s, "()") {
		return nil, fmt.Errorf("tag expression %q: parentheses are not supported; write it as alternatives of conjunctions, e.g. \"@a && @b, @c\"", s)
	}
	tokens := tokenize(s)
	var (
		e      Expr
		clause []term
		negate bool
		// expectTag is true at the start of a clause or after an operator.
		expectTag = true
	)
	for _, tok := range tokens {
		switch strings.ToLower(tok) {
		case ",", "or":
			if expectTag {
				return nil, syntaxError(s, tok)
			}
			e.clauses = append(e.clauses, clause)
			clause, expectTag = nil, true
		case "&&", "and":
			if expectTag {
				return nil, syntaxError(s, tok)
			}
			expectTag = true
		case "~", "not":
			if !expectTag || negate {
				return nil, syntaxError(s, tok)
			}
			negate = true
		default:
			if !expectTag {
				return nil, fmt.Errorf("tag expression %q: missing operator before %q; join tags with \"&&\" (and) or \",\" (or)", s, tok)
			}
			if strings.HasPrefix(tok, "~") {
				if negate {
					return nil, syntaxError(s, tok)
				}
				negate, tok = true, tok[1:]
			}
			name := strings.TrimPrefix(tok, "@")
			if !strings.HasPrefix(tok, "@") || name == "" || strings.ContainsAny(name, "@~&,") {
				return nil, fmt.Errorf("tag expression %q: %q is not a tag; tags start with \"@\", e.g. @smoke", s, tok)
			}
			clause = append(clause, term{tag: name, negate: negate})
			negate, expectTag = false, false
		}
	}
	if expectTag {
		return nil, fmt.Errorf("tag expression %q: it ends with an operator; add a tag after it", s)
	}
	e.clauses = append(e.clauses, clause)
	return &e, nil
}

func syntaxError(s, tok string) error {
	return fmt.Errorf("tag expression %q: unexpected %q; expected a tag such as @smoke", s, tok)
}

// tokenize splits on spaces and around the operators ",", "&&" and a leading "~".
func tokenize(s string) []string {
	s = strings.ReplaceAll(s, ",", " , ")
	s = strings.ReplaceAll(s, "&&", " && ")
	return strings.Fields(s)
}

// Empty reports whether the expression selects every scenario.
func (e *Expr) Empty() bool { return len(e.clauses) == 0 }

// Match reports whether a scenario with the given tags (with or without "@") is selected.
func (e *Expr) Match(tags []string) bool {
	if e.Empty() {
		return true
	}
	has := make(map[string]bool, len(tags))
	for _, t := range tags {
		has[strings.TrimPrefix(t, "@")] = true
	}
	for _, clause := range e.clauses {
		ok := true
		for _, t := range clause {
			if has[t.tag] == t.negate {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Godog returns the expression in godog's syntax ("" when empty).
func (e *Expr) Godog() string {
	clauses := make([]string, 0, len(e.clauses))
	for _, clause := range e.clauses {
		terms := make([]string, 0, len(clause))
		for _, t := range clause {
			if t.negate {
				terms = append(terms, "~@"+t.tag)
			} else {
				terms = append(terms, "@"+t.tag)
			}
		}
		clauses = append(clauses, strings.Join(terms, " && "))
	}
	return strings.Join(clauses, ",")
}
