package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is a parsed, structurally checked config file: every target's keys are known, none is repeated,
// every value that holds no ${...} has the right type, and every ${...} is well formed. Nothing is
// interpolated yet; Target does that for the one target a run uses.
type File struct {
	Path    string
	targets []fileTarget
}

type fileTarget struct {
	name string
	line int        // line of the target's key
	node *yaml.Node // the target's mapping
}

// Load reads and parses the config file at path. See Parse.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a config file's bytes; path names the file in messages. The error is a *Error or
// *Errors listing every problem found, each with its line.
func Parse(path string, data []byte) (*File, error) {
	root, err := parseYAML(path, data)
	if err != nil {
		return nil, err
	}
	c := newCollector(path)
	if root.Kind != yaml.MappingNode {
		c.add(root.Line, `expected a mapping with "targets:" at the top level, got %s`, describe(root))
		return nil, c.err()
	}
	var doc fileDoc
	d := newDecoder(c, nil)
	d.decode(root, reflect.ValueOf(&doc).Elem(), place{})
	if len(doc.Targets) == 0 && len(c.errs) == 0 {
		c.add(doc.Pos.line("targets"), `no targets defined; add a "targets:" mapping naming at least one target, e.g. "demo:" with its base_url and accounts`)
	}
	f := &File{Path: path}
	for _, e := range doc.Targets {
		if !validTargetName(e.Key) {
			c.add(e.Line, `target name %q is not valid; use letters, digits, "_", "-" or ".", starting with a letter or digit`, e.Key)
		}
		f.targets = append(f.targets, fileTarget{name: e.Key, line: e.Line, node: e.Node})
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// parseYAML parses the one YAML document of a config file and returns its root node.
func parseYAML(path string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 is not expected to panic; if it does on some input, that input is a bad file.
		if r := recover(); r != nil {
			root, err = nil, &Error{File: path, Msg: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, emptyFile(path, 0)
		}
		return nil, yamlError(path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].ShortTag() == "!!null" && doc.Content[0].Kind == yaml.ScalarNode {
		return nil, emptyFile(path, doc.Line)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, yamlError(path, err)
	default:
		return nil, &Error{File: path, Line: next.Line, Msg: `more than one YAML document ("---"); put every target under the one "targets:" mapping`}
	}
	return doc.Content[0], nil
}

func emptyFile(path string, line int) error {
	return &Error{File: path, Line: line, Msg: `the file has no content (it is empty or only comments); expected a "targets:" mapping naming at least one target, as in the shipped regress.yaml`}
}

// yamlError turns a yaml.v3 syntax error into an *Error with the file and line.
func yamlError(path string, err error) error {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if strings.HasPrefix(msg, "did not find expected key") || strings.HasPrefix(msg, "did not find expected '-' indicator") {
		msg += " (in the block that starts at this line: check the indentation of the lines below it)"
	}
	return &Error{File: path, Line: line, Msg: "invalid YAML: " + msg}
}

func validTargetName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '_' || c == '-' || c == '.') && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// TargetNames returns the target names in file order.
func (f *File) TargetNames() []string {
	names := make([]string, 0, len(f.targets))
	for _, t := range f.targets {
		names = append(names, t.name)
	}
	return names
}

func (f *File) target(name string) (fileTarget, error) {
	for _, t := range f.targets {
		if t.name == name {
			return t, nil
		}
	}
	names := f.TargetNames()
	slices.Sort(names)
	return fileTarget{}, &Error{File: f.Path, Msg: fmt.Sprintf("unknown target %q; valid targets: %s", name, strings.Join(names, ", "))}
}

// Target interpolates and validates one target and returns it resolved, defaults applied. Only this
// target's values are interpolated, through lookupEnv (nil: an empty environment), so another target's
// variables need not be set. The error is a *Error or *Errors listing every problem: each variable that
// is not set, and each invalid value, with its line.
func (f *File) Target(name string, lookupEnv func(string) (string, bool)) (*Target, error) {
	ft, err := f.target(name)
	if err != nil {
		return nil, err
	}
	c := newCollector(f.Path)
	doc, missing := f.decodeTarget(c, ft, lookupEnv)
	for _, e := range missingErrors(f.Path, missing) {
		c.addLoud(e.Line, "%s", e.Msg)
	}
	t := validate(c, f.Path, ft, doc)
	if err := c.err(); err != nil {
		return nil, err
	}
	return t, nil
}

// MissingVars reports, with their lines, the environment variables the target needs that lookupEnv
// lacks (nil: an empty environment), whatever other problems the target has. It returns nil when every
// variable is set, or when there is no such target (Target reports that).
func (f *File) MissingVars(name string, lookupEnv func(string) (string, bool)) Errors {
	ft, err := f.target(name)
	if err != nil {
		return nil
	}
	_, missing := f.decodeTarget(newCollector(f.Path), ft, lookupEnv)
	return missingErrors(f.Path, missing)
}

// decodeTarget interpolates and decodes one target.
func (f *File) decodeTarget(c *collector, ft fileTarget, lookupEnv func(string) (string, bool)) (*targetDoc, []missingVar) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	var doc targetDoc
	d := newDecoder(c, lookupEnv)
	d.decode(ft.node, reflect.ValueOf(&doc).Elem(), place{labels: []string{fmt.Sprintf("target %q", ft.name)}})
	return &doc, d.missing
}

// missingErrors reports each missing variable once, at its first use, naming its other lines.
func missingErrors(path string, missing []missingVar) Errors {
	type uses struct {
		first missingVar
		more  []string
	}
	var order []string
	byName := map[string]*uses{}
	for _, m := range missing {
		u, ok := byName[m.name]
		if !ok {
			byName[m.name] = &uses{first: m}
			order = append(order, m.name)
			continue
		}
		if l := strconv.Itoa(m.line); m.line != u.first.line && !slices.Contains(u.more, l) {
			u.more = append(u.more, l)
		}
	}
	var out Errors
	for _, name := range order {
		u := byName[name]
		ctx := u.first.ctx
		if len(u.more) > 0 {
			ctx += "; also used at line " + strings.Join(u.more, ", ")
		}
		out = append(out, &Error{File: path, Line: u.first.line, Msg: fmt.Sprintf("environment variable %s is not set (%s)", name, ctx)})
	}
	return out
}
