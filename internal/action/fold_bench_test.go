package action

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
)

// foldedSubjectMsg is about 1.9 MB: one Subject of many short
// continuation lines (issue 14: the subject rewrite after the scan was
// quadratic in them).
func foldedSubjectMsg() []byte {
	var b strings.Builder
	b.WriteString("From: a@example.net\r\nTo: b@example.jp\r\nSubject: start")
	for b.Len() < 1900000 {
		b.WriteString("\r\n x")
	}
	b.WriteString("\r\nMessage-ID: <x@example.net>\r\n\r\nbody\r\n")
	return []byte(b.String())
}

// The post-scan header work (field list, subject rewrite, header apply)
// on the folded subject, linear in its size.
func BenchmarkFoldedSubjectHeaderWork(b *testing.B) {
	raw := foldedSubjectMsg()
	m := mail.Parse(raw, mail.Limits{MaxHeaderBytes: 4 << 20})
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h, body := SplitMessage(raw)
		fs := ParseFields(h, 1000)
		var rawSubj string
		for _, f := range m.Headers {
			if strings.EqualFold(f.Name, "Subject") {
				rawSubj = crlfFolds(strings.TrimLeft(f.Raw, " \t"))
			}
		}
		s, _ := SubjectRewrite(rawSubj, m.Subject, "[spam]")
		out := applyParts(h, body, len(raw), nil, &s, nil, "")
		if len(fs) == 0 || len(out) < len(raw) {
			b.Fatal("lost")
		}
	}
}

// BenchmarkFoldedSubjectParse is the parse of the same message.
func BenchmarkFoldedSubjectParse(b *testing.B) {
	raw := foldedSubjectMsg()
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		mail.Parse(raw, mail.Limits{MaxHeaderBytes: 4 << 20})
	}
}
