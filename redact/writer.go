package redact

import (
	"bytes"
	"io"
	"sync"
)

// Writer returns a writer that redacts each line with String before writing it to w, so secrets
// split across Write calls are still found. A line is written when its newline arrives; Close
// writes the unterminated rest and does not close w. It is safe for concurrent use.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	return &lineWriter{red: r, w: w}
}

type lineWriter struct {
	red *Redactor
	w   io.Writer

	mu  sync.Mutex
	buf []byte
}

// Write buffers p and writes every complete line redacted. A carriage return ends a line too, so
// a live progress line ("\r[3/17] ...") shows at once. It reports len(p) unless w fails.
func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf = append(lw.buf, p...)
	i := bytes.LastIndexAny(lw.buf, "\r\n")
	if i < 0 {
		return len(p), nil
	}
	lines := lw.buf[:i+1]
	var out bytes.Buffer
	for len(lines) > 0 {
		n := bytes.IndexAny(lines, "\r\n")
		out.WriteString(lw.red.String(string(lines[:n])))
		out.WriteByte(lines[n])
		lines = lines[n+1:]
	}
	lw.buf = append(lw.buf[:0], lw.buf[i+1:]...)
	if _, err := lw.w.Write(out.Bytes()); err != nil {
		return len(p), err
	}
	return len(p), nil
}

// Close writes the buffered rest of a line, redacted.
func (lw *lineWriter) Close() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.buf) == 0 {
		return nil
	}
	rest := lw.red.String(string(lw.buf))
	lw.buf = lw.buf[:0]
	_, err := io.WriteString(lw.w, rest)
	return err
}
