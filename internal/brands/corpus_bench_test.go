package brands

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/testutil"
)

// corpusMessages parses up to n messages of each of test/ham and
// test/spam of the SpamAssassin corpus (testutil.Corpus: skipped without
// it, a failure in CI).
func corpusMessages(b testing.TB, n int) []*mail.Message {
	dir := testutil.Corpus(b)
	var out []*mail.Message
	for _, sub := range []string{"test/ham", "test/spam"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		sort.Strings(files)
		if len(files) > n {
			files = files[:n]
		}
		for _, f := range files {
			if raw, err := os.ReadFile(f); err == nil {
				out = append(out, mail.Parse(raw, mail.Limits{}))
			}
		}
	}
	if len(out) == 0 {
		b.Skip("no corpus messages")
	}
	return out
}

// BenchmarkClaimedCorpus makes the URL analyzer's three Claimed calls
// (subject and display name, display name, body text) per corpus
// message: ns/op is per message.
func BenchmarkClaimedCorpus(b *testing.B) {
	msgs := corpusMessages(b, 300)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		name, _ := mail.PrimaryFrom(m)
		body := m.Text
		if len(body) > 20000 {
			body = body[:20000]
		}
		Claimed(m.Subject + "\n" + name)
		Claimed(name)
		Claimed(body)
	}
}

// BenchmarkMatchLookalikeCorpus matches the distinct link hosts of the
// corpus messages without the answer memo: ns/op is per host.
func BenchmarkMatchLookalikeCorpus(b *testing.B) {
	msgs := corpusMessages(b, 300)
	seen := map[string]bool{}
	var hosts []string
	for _, m := range msgs {
		for _, u := range m.URLs {
			h := hostOf(u.Raw)
			if h != "" && !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	if len(hosts) == 0 {
		b.Skip("no hosts")
	}
	cat := catalogue()
	extra := []string{"example.co.jp", "partner-corp.co.jp"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		matchLookalike(cat, hosts[i%len(hosts)], extra)
	}
}

// hostOf is a rough host of a raw URL, enough for a benchmark.
func hostOf(raw string) string {
	s := raw
	for i := 0; i+2 < len(s); i++ {
		if s[i] == ':' && s[i+1] == '/' && s[i+2] == '/' {
			s = s[i+3:]
			break
		}
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '/', '?', '#', ':', '@':
			return s[:i]
		}
	}
	return s
}
