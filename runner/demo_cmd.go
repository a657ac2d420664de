package runner

import (
	"context"
	"fmt"
	"net"

	"regress/demo"
)

func (a *App) demoCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("demo", a.Stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (loopback only)")
	bugList := fs.String("bugs", "", "switch on named bugs (comma-separated `LIST`); see below")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: regress demo [--addr 127.0.0.1:PORT] [--bugs LIST]")
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nbugs:")
		for _, b := range demo.Catalog() {
			fmt.Fprintf(fs.Output(), "  %-17s @%-9s %s\n", b.Name, b.Concern, b.Description)
		}
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError(fmt.Errorf("unexpected argument %q", rest[0]), "")
	}
	bugs, err := demo.ParseBugs(*bugList)
	if err != nil {
		return usageError(fmt.Errorf("--bugs: %w", err), "")
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usageError(fmt.Errorf("--addr %q: %w", *addr, err), "give HOST:PORT, e.g. 127.0.0.1:8080")
	}
	srv, err := demo.Start(*addr, demo.Options{Bugs: bugs})
	if err != nil {
		return usageError(fmt.Errorf("--addr %s: %w", *addr, err), "")
	}
	defer srv.Close()
	fmt.Fprintf(a.Stdout, "demo target serving at %s (bugs: %s); stop with Ctrl-C\n", srv.URL, bugNames(bugs))
	<-ctx.Done()
	return nil
}

func bugNames(b demo.Bugs) string {
	var names []string
	for _, info := range demo.Catalog() {
		if b.Has(info.Name) {
			names = append(names, info.Name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return fmt.Sprint(names)
}
