package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("regress "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

// parseInterspersed parses flags that may come before or after the positional arguments
// (`regress run features/x.feature --tags @smoke`) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError(err, fmt.Sprintf("run 'regress %s -h' for its flags", strings.TrimPrefix(fs.Name(), "regress ")))
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// errHelp is returned when -h was asked for: the usage was printed, exit 0.
var errHelp = errors.New("help requested")
