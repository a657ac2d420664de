package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a config file. Error() is "FILE:LINE: MSG", or "FILE: MSG" when Line is 0.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File == "":
		return e.Msg
	case e.Line <= 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	default:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
}

// Errors is several problems, reported together. Error() joins them with newlines.
// Unwrap exposes each *Error to errors.Is and errors.As.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, 0, len(es))
	for _, e := range es {
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual problems.
func (es Errors) Unwrap() []error {
	out := make([]error, 0, len(es))
	for _, e := range es {
		out = append(out, e)
	}
	return out
}

// As lets errors.As fill an Errors variable from a returned *Errors.
func (es *Errors) As(target any) bool {
	if p, ok := target.(*Errors); ok {
		*p = *es
		return true
	}
	return false
}

// AsErrors returns the problems carried by err (a *Error, Errors or *Errors, possibly wrapped) as a list.
// It reports false when err carries none.
func AsErrors(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, len(es) > 0
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}, true
	}
	return nil, false
}

// maxErrors bounds how many problems one call reports; a file that breaks more is reported in part.
const maxErrors = 200

// collector gathers problems of one file.
type collector struct {
	file string
	errs Errors
	// quiet holds lines whose values could not be resolved (missing variables): other problems on those
	// lines are consequences and are not reported.
	quiet    map[int]bool
	overflow bool
}

func newCollector(file string) *collector {
	return &collector{file: file, quiet: map[int]bool{}}
}

func (c *collector) add(line int, format string, args ...any) {
	if c.quiet[line] && line > 0 {
		return
	}
	c.addLoud(line, format, args...)
}

// addLoud records a problem even on a quiet line.
func (c *collector) addLoud(line int, format string, args ...any) {
	if len(c.errs) >= maxErrors {
		c.overflow = true
		return
	}
	c.errs = append(c.errs, &Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err returns nil, the single *Error, or *Errors sorted by line with exact duplicates removed.
func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	seen := make(map[Error]bool, len(c.errs))
	list := make(Errors, 0, len(c.errs))
	for _, e := range c.errs {
		if !seen[*e] {
			seen[*e] = true
			list = append(list, e)
		}
	}
	slices.SortStableFunc(list, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	if c.overflow {
		list = append(list, &Error{File: c.file, Msg: fmt.Sprintf("more than %d problems; fix the ones above first", maxErrors)})
	}
	if len(list) == 1 {
		return list[0]
	}
	return &list
}
