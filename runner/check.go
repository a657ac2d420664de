package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"regress/config"
	"regress/runner/featureset"
	"regress/runner/tagexpr"
	"regress/steps"
	"regress/steps/session"
)

// checkCommand validates the config and features offline and reports every problem at once.
func (a *App) checkCommand(_ context.Context, args []string) error {
	fs := newFlagSet("check", a.Stderr)
	targetName := fs.String("target", "", "target `NAME` from the config (required)")
	configPath := fs.String("config", "regress.yaml", "config `FILE`")
	tags := fs.String("tags", "", "check only scenarios matching the tag `EXPR`, as run would select them")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	expr, err := tagexpr.Parse(*tags)
	if err != nil {
		return usageError(fmt.Errorf("--tags: %w", err), "")
	}
	if *targetName == "" {
		return usageError(errors.New("--target is required"), "name a target of the config, e.g. --target demo")
	}
	if len(paths) == 0 {
		paths = []string{"features"}
	}
	var problems []string
	var target *config.Target
	if f, err := config.Load(*configPath); err != nil {
		problems = append(problems, configProblems(err)...)
	} else if target, err = f.Target(*targetName, a.LookupEnv); err != nil {
		problems = append(problems, configProblems(err)...)
	}
	set, err := featureset.Load(paths)
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		problems = append(problems, checkSteps(set.Select(expr), target)...)
		problems = append(problems, fixtureProblems(set.Select(expr))...)
	}
	if len(problems) > 0 {
		fmt.Fprintln(a.Stdout, strings.Join(problems, "\n"))
		return quietError{usageError(fmt.Errorf("%d problems", len(problems)), "")}
	}
	fmt.Fprintf(a.Stdout, "ok: %d scenarios in %d files; every step is defined and names known accounts and routes\n", len(set.Select(expr)), len(set.Files))
	return nil
}

// configProblems lists a config error's problems one per entry.
func configProblems(err error) []string {
	var out []string
	if list, ok := config.AsErrors(err); ok {
		for _, e := range list {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// checkSteps reports undefined steps and steps naming accounts or routes the target lacks.
// target may be nil when the config could not be resolved: then only definitions are checked.
func checkSteps(scenarios []*featureset.Scenario, target *config.Target) []string {
	m := steps.NewMatcher()
	var out []string
	seen := map[string]bool{}
	for _, sc := range scenarios {
		if len(sc.Steps) == 0 {
			out = append(out, fmt.Sprintf("%s: scenario %q has no steps; a scenario that checks nothing must not pass", sc.Ref(), sc.Name))
		}
		if target != nil && sc.HasTag(steps.MutatingTag) && !target.AllowMutations {
			out = append(out, fmt.Sprintf("%s: scenario %q is %s but target %q is read-only: it would be skipped; run it against a target with allow_mutations: true, or leave it out with --tags '~%s'", sc.Ref(), sc.Name, steps.MutatingTag, target.Name, steps.MutatingTag))
		}
		for _, st := range sc.Steps {
			ref := fmt.Sprintf("%s:%d", sc.URI, st.Line)
			if seen[ref] {
				continue // a Background step appears in every scenario
			}
			seen[ref] = true
			def, args, ok := m.Match(st.Text)
			if !ok {
				out = append(out, fmt.Sprintf("%s: undefined step %q%s", ref, st.Text, suggestion(st.Text)))
				continue
			}
			if msg := argumentProblem(def, st); msg != "" {
				out = append(out, fmt.Sprintf("%s: %s", ref, msg))
			}
			if target == nil {
				continue
			}
			for i, kind := range def.Args {
				if i >= len(args) {
					break
				}
				if msg := checkArg(target, kind, args[i]); msg != "" {
					out = append(out, fmt.Sprintf("%s: %s", ref, msg))
				}
			}
		}
	}
	return out
}

func checkArg(t *config.Target, kind, value string) string {
	switch kind {
	case steps.ArgSession, steps.ArgAccount:
		if kind == steps.ArgSession && value == session.Anonymous {
			return ""
		}
		if _, ok := t.Account(value); !ok {
			return fmt.Sprintf("unknown account %q; accounts of target %q: %s", value, t.Name, strings.Join(t.AccountNames(), ", "))
		}
	case steps.ArgRoute:
		if _, ok := t.Route(value); !ok {
			names := make([]string, 0, len(t.Routes))
			for _, r := range t.Routes {
				names = append(names, r.Name)
			}
			return fmt.Sprintf("unknown route %q; routes of target %q: %s", value, t.Name, strings.Join(names, ", "))
		}
	}
	return ""
}

// argumentProblem says what is wrong with a step's doc string or data table, or returns "".
func argumentProblem(def *steps.Def, st featureset.Step) string {
	switch {
	case def.DocString && !st.HasDocString:
		return fmt.Sprintf("step %q needs a doc string (lines between \"\"\" marks) under it", st.Text)
	case def.Table && !st.HasTable:
		return fmt.Sprintf("step %q needs a data table (| name | value | rows) under it", st.Text)
	case !def.DocString && st.HasDocString:
		return fmt.Sprintf("step %q takes no doc string; remove it", st.Text)
	case !def.Table && st.HasTable:
		return fmt.Sprintf("step %q takes no data table; remove it", st.Text)
	}
	return ""
}

// suggestion names the catalog example closest to an undefined step's text.
func suggestion(text string) string {
	best, bestDist := "", -1
	for _, d := range steps.Catalog() {
		example, _, _ := strings.Cut(d.Example, "\n")
		for _, kw := range []string{"Given ", "When ", "Then ", "And ", "But "} {
			example = strings.TrimPrefix(example, kw)
		}
		if dist := editDistance(strings.ToLower(text), strings.ToLower(example)); bestDist < 0 || dist < bestDist {
			best, bestDist = example, dist
		}
	}
	if best == "" || bestDist > len(text)/2+8 {
		return "; run `regress steps` for the catalog"
	}
	return fmt.Sprintf("; did you mean %q? (`regress steps` lists every step)", best)
}

// editDistance is the Levenshtein distance between two strings, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
