package bundle

import (
	"encoding/base64"
	"strings"
	"testing"
)

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func FuzzScan(f *testing.F) {
	f.Add([]byte(`var k="`+sampleStripeLive+`";`), "correct-horse-battery", false)
	f.Add([]byte(`{"sourcesContent":["`+sampleWebhook+`\n"],"sources":[]}`), "whsec_x", true)
	f.Add([]byte("eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0."), "", false)
	f.Add([]byte("eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.x\n"+sampleAWS), "eyJhbGciOiJIUzI1NiJ9", false)
	f.Add([]byte(samplePrivateKeyHeader+`\\\n\r\n  MIIE`), "PRIVATE KEY", true)
	f.Add([]byte("\xff\xfe sb_secret_\x00\x00 日本語 sb_secret_日本語日本語日本語日本語"), "日本語日本語日本語", false)
	f.Add([]byte(`{"sourcesContent":[null,"x"],"sources":["a"]}`), "", true)
	f.Fuzz(func(t *testing.T, body []byte, extra string, sourceMap bool) {
		kind := KindScript
		if sourceMap {
			kind = KindSourceMap
		}
		fs := Scan(Asset{URL: "https://shop.test/a.js", Kind: kind, Body: body}, []string{extra})
		for _, fd := range fs {
			if fd.Line < 1 {
				t.Errorf("finding %v has line %d", fd, fd.Line)
			}
			if fd.Rule == ConfigSecretRule && len(extra) >= 4 && strings.Contains(fd.String(), extra) {
				t.Errorf("finding %v holds the configured secret %q", fd, extra)
			}
		}
		_ = ScanCrawl(&Crawl{Assets: []Asset{{URL: "https://shop.test/", Kind: KindPage, Body: body}}}, []string{extra})
	})
}
