// Package featureset finds and parses feature files and selects their scenarios by tag, with the
// same file order and tag semantics as godog, so the runner knows before a run what will run and
// where each scenario and step is (file:line).
package featureset

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"regress/runner/tagexpr"
)

// Scenario is one runnable scenario (one row of an outline).
type Scenario struct {
	URI         string // the feature file's path as given
	Line        int    // the scenario's (or outline row's) line
	KeywordLine int    // the line of its Scenario (or Scenario Outline) keyword
	Name        string
	Feature     string // the feature's name
	FeatureLine int
	Tags        []string // with "@"
	Steps       []Step
}

// Step is one step of a scenario with its source line.
type Step struct {
	Keyword string
	Text    string
	Line    int
	// HasDocString/HasTable say whether the step carries an argument.
	HasDocString, HasTable bool
}

// Ref is "file:line" of the scenario.
func (s *Scenario) Ref() string { return s.URI + ":" + strconv.Itoa(s.Line) }

// HasTag reports whether the scenario carries the tag (given with or without "@").
func (s *Scenario) HasTag(tag string) bool {
	tag = "@" + strings.TrimPrefix(tag, "@")
	for _, t := range s.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Set is the parsed feature files.
type Set struct {
	// Files are the feature files in run order; pass them to godog as its paths.
	Files     []string
	Scenarios []*Scenario
	// lineFilter holds, per file, the lines given as "file.feature:N" (none = every scenario).
	lineFilter map[string][]int
}

// Error is a problem in a feature file, at a line when known.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Load expands paths (directories are walked for *.feature files in lexical order; "file:N"
// selects the scenario at line N) and parses every file. All syntax errors are returned together.
func Load(paths []string) (*Set, error) {
	set := &Set{lineFilter: map[string][]int{}}
	var errs []error
	seen := map[string]bool{}
	for _, p := range paths {
		path, line := splitLine(p)
		info, err := os.Stat(path)
		if err != nil {
			errs = append(errs, &Error{File: path, Msg: "cannot read feature path: " + pathErrorReason(err)})
			continue
		}
		var files []string
		if info.IsDir() {
			err := filepath.WalkDir(path, func(f string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() && strings.HasSuffix(f, ".feature") {
					files = append(files, f)
				}
				return nil
			})
			if err != nil {
				errs = append(errs, &Error{File: path, Msg: "cannot list feature files: " + err.Error()})
				continue
			}
			if len(files) == 0 {
				errs = append(errs, &Error{File: path, Msg: "no .feature files in this directory"})
			}
		} else {
			files = []string{path}
		}
		for _, f := range files {
			if line > 0 {
				set.lineFilter[f] = append(set.lineFilter[f], line)
			}
			if seen[f] {
				continue
			}
			seen[f] = true
			set.Files = append(set.Files, f)
		}
	}
	for _, f := range set.Files {
		scenarios, err := parseFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set.Scenarios = append(set.Scenarios, scenarios...)
	}
	for f, lines := range set.lineFilter {
		for _, l := range lines {
			if !set.hasScenarioAt(f, l) {
				errs = append(errs, &Error{File: f, Line: l, Msg: "no scenario starts at this line; give the line of a Scenario keyword or an Examples row"})
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set, nil
}

func pathErrorReason(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "no such file or directory"
	}
	return err.Error()
}

var lineSuffix = regexp.MustCompile(`^(.*\.feature):(\d+)$`)

func splitLine(p string) (string, int) {
	if m := lineSuffix.FindStringSubmatch(p); m != nil {
		n, _ := strconv.Atoi(m[2])
		return m[1], n
	}
	return p, 0
}

// Paths returns the paths to hand to godog: each file, with its ":N" selectors when given.
// godog selects by the Scenario (Outline) keyword's line, so a selected Examples row is handed
// over as its outline's line: godog then runs every row, and the runner skips the others.
func (s *Set) Paths() []string {
	out := make([]string, 0, len(s.Files))
	for _, f := range s.Files {
		lines := s.lineFilter[f]
		if len(lines) == 0 {
			out = append(out, f)
			continue
		}
		seen := map[int]bool{}
		for _, l := range lines {
			for _, sc := range s.Scenarios {
				if sc.URI == f && (sc.Line == l || sc.KeywordLine == l) && !seen[sc.KeywordLine] {
					seen[sc.KeywordLine] = true
					out = append(out, f+":"+strconv.Itoa(sc.KeywordLine))
				}
			}
		}
	}
	return out
}

func (s *Set) hasScenarioAt(file string, line int) bool {
	for _, sc := range s.Scenarios {
		if sc.URI == file && (sc.Line == line || sc.KeywordLine == line) {
			return true
		}
	}
	return false
}

// Select returns the scenarios that the tag expression and any "file:N" selectors choose.
func (s *Set) Select(expr *tagexpr.Expr) []*Scenario {
	var out []*Scenario
	for _, sc := range s.Scenarios {
		if lines := s.lineFilter[sc.URI]; len(lines) > 0 && !containsInt(lines, sc.Line) && !containsInt(lines, sc.KeywordLine) {
			continue
		}
		if expr.Match(sc.Tags) {
			out = append(out, sc)
		}
	}
	return out
}

// Find returns the scenario at file:line, or nil.
func (s *Set) Find(uri string, line int) *Scenario {
	for _, sc := range s.Scenarios {
		if sc.URI == uri && sc.Line == line {
			return sc
		}
	}
	return nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// gherkinErrorLine matches gherkin's "(line:column): message" error lines.
var gherkinErrorLine = regexp.MustCompile(`^\((\d+):\d+\): (.*)$`)

func parseFile(path string) ([]*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read: " + pathErrorReason(err)}
	}
	newID := (&messages.Incrementing{}).NewId
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), newID)
	if err != nil {
		return nil, syntaxErrors(path, err)
	}
	if doc.Feature == nil {
		return nil, &Error{File: path, Line: 1, Msg: "no Feature in this file; start it with \"Feature: <name>\""}
	}
	stepLines := map[string]*messages.Step{}
	collectSteps(doc.Feature.Children, stepLines)
	keywordLines := map[string]int{}
	collectScenarioLines(doc.Feature.Children, keywordLines)
	var out []*Scenario
	for _, p := range gherkin.Pickles(*doc, path, newID) {
		sc := &Scenario{URI: path, Name: p.Name, Feature: doc.Feature.Name, FeatureLine: int(doc.Feature.Location.Line)}
		if p.Location != nil {
			sc.Line = int(p.Location.Line)
		}
		sc.KeywordLine = sc.Line
		if len(p.AstNodeIds) > 0 {
			if l, ok := keywordLines[p.AstNodeIds[0]]; ok {
				sc.KeywordLine = l
			}
		}
		for _, t := range p.Tags {
			sc.Tags = append(sc.Tags, t.Name)
		}
		for _, st := range p.Steps {
			step := Step{Text: st.Text}
			if len(st.AstNodeIds) > 0 {
				if ast := stepLines[st.AstNodeIds[0]]; ast != nil {
					step.Line, step.Keyword = int(ast.Location.Line), ast.Keyword
				}
			}
			if st.Argument != nil {
				step.HasDocString = st.Argument.DocString != nil
				step.HasTable = st.Argument.DataTable != nil
			}
			sc.Steps = append(sc.Steps, step)
		}
		out = append(out, sc)
	}
	return out, nil
}

// collectSteps indexes the AST steps by id: pickle steps name them, and they hold line and keyword.
func collectSteps(children []*messages.FeatureChild, steps map[string]*messages.Step) {
	for _, c := range children {
		switch {
		case c.Background != nil:
			for _, st := range c.Background.Steps {
				steps[st.Id] = st
			}
		case c.Scenario != nil:
			for _, st := range c.Scenario.Steps {
				steps[st.Id] = st
			}
		case c.Rule != nil:
			ruleChildren := make([]*messages.FeatureChild, 0, len(c.Rule.Children))
			for _, rc := range c.Rule.Children {
				ruleChildren = append(ruleChildren, &messages.FeatureChild{Background: rc.Background, Scenario: rc.Scenario})
			}
			collectSteps(ruleChildren, steps)
		}
	}
}

// collectScenarioLines indexes the scenarios' keyword lines by AST id (a pickle's first node id).
func collectScenarioLines(children []*messages.FeatureChild, lines map[string]int) {
	for _, c := range children {
		switch {
		case c.Scenario != nil:
			lines[c.Scenario.Id] = int(c.Scenario.Location.Line)
		case c.Rule != nil:
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					lines[rc.Scenario.Id] = int(rc.Scenario.Location.Line)
				}
			}
		}
	}
}

// syntaxErrors turns gherkin's multi-line error into one Error per problem with its line.
func syntaxErrors(path string, err error) error {
	var errs []error
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if m := gherkinErrorLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			errs = append(errs, &Error{File: path, Line: n, Msg: "syntax error: " + m[2]})
		}
	}
	if len(errs) == 0 {
		return &Error{File: path, Msg: "syntax error: " + err.Error()}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].(*Error).Line < errs[j].(*Error).Line })
	return errors.Join(errs...)
}
