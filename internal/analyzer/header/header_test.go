package header

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

const okHeaders = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hello\r\nDate: Mon, 13 May 2019 17:45:00 +0900\r\nMessage-ID: <1@example.com>\r\n"

func run(t *testing.T, raw string) []string {
	t.Helper()
	as, err := New(config.Default(), pipeline.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	a := as[0].(*Analyzer)
	a.now = func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }
	task := pipeline.NewTask("t", mail.Parse([]byte(raw), mail.Limits{}), pipeline.Envelope{}, nil)
	if err := a.Analyze(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range task.Hits() {
		names = append(names, h.Name)
	}
	sort.Strings(names)
	return names
}

func TestHeaderSymbols(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want []string // must fire
		not  []string // must not fire
	}{
		{"clean", okHeaders + "\r\nbody\r\n", nil, []string{MissingDate, MissingMessageID, MissingFrom, ReNoThread, Undisclosed}},
		{"missing date and id", "From: a@example.com\r\nTo: b@example.org\r\nSubject: x\r\n\r\nbody\r\n", []string{MissingDate, MissingMessageID}, nil},
		{"bad date", strings.Replace(okHeaders, "Mon, 13 May 2019 17:45:00 +0900", "yesterday at noon", 1) + "\r\nb\r\n", []string{BadDate}, []string{MissingDate}},
		{"future date", strings.Replace(okHeaders, "2019", "2031", 1) + "\r\nb\r\n", []string{FutureDate}, nil},
		{"bad message-id", strings.Replace(okHeaders, "<1@example.com>", "no-at-sign", 1) + "\r\nb\r\n", []string{BadMessageID}, nil},
		{"missing from", "To: b@example.org\r\nSubject: x\r\nDate: Mon, 13 May 2019 17:45:00 +0900\r\nMessage-ID: <1@x.example>\r\n\r\nb\r\n", []string{MissingFrom}, nil},
		{"several from", strings.Replace(okHeaders, "Alice <alice@example.com>", "alice@example.com, mallory@evil.example", 1) + "\r\nb\r\n", []string{MultipleFrom}, nil},
		{"name holds other address", strings.Replace(okHeaders, "Alice <alice@example.com>", `"support@paypal.com" <x@evil.example>`, 1) + "\r\nb\r\n", []string{FromNameAddress}, nil},
		{"name holds same address", strings.Replace(okHeaders, "Alice <alice@example.com>", `"alice@example.com" <alice@example.com>`, 1) + "\r\nb\r\n", nil, []string{FromNameAddress}},
		{"name holds an address of the same organisation", strings.Replace(okHeaders, "Alice <alice@example.com>", `"Editors@news.example.com" <subscriber@example.com>`, 1) + "\r\nb\r\n", nil, []string{FromNameAddress}},
		{"reply-to other domain", okHeaders + "Reply-To: x@other.example\r\n\r\nb\r\n", []string{ReplyToOther}, []string{ReplyToFreemail}},
		{"reply-to same org", okHeaders + "Reply-To: x@lists.example.com\r\n\r\nb\r\n", nil, []string{ReplyToOther}},
		{"reply-to freemail", okHeaders + "Reply-To: ceo.private@gmail.com\r\n\r\nb\r\n", []string{ReplyToOther, ReplyToFreemail}, nil},
		{"re without thread", strings.Replace(okHeaders, "Subject: hello", "Subject: Re: invoice", 1) + "\r\nb\r\n", []string{ReNoThread}, nil},
		{"re in japanese mailer style", strings.Replace(okHeaders, "Subject: hello", "Subject: RE： 見積", 1) + "\r\nb\r\n", []string{ReNoThread}, nil},
		{"re with thread", strings.Replace(okHeaders, "Subject: hello", "Subject: Re: invoice", 1) + "In-Reply-To: <0@example.org>\r\n\r\nb\r\n", nil, []string{ReNoThread}},
		{"fwd with forwarded text", strings.Replace(okHeaders, "Subject: hello", "Subject: Fwd: news", 1) + "\r\n---------- Forwarded message ---------\r\nFrom: x\r\n", nil, []string{FwdNoThread, ReNoThread}},
		{"fwd with quoted headers", strings.Replace(okHeaders, "Subject: hello", "Subject: FW: news", 1) + "\r\nsee below\r\nFrom: x@y.example\r\nSent: Monday\r\nSubject: news\r\n", nil, []string{FwdNoThread}},
		{"fwd with a stray from line", strings.Replace(okHeaders, "Subject: hello", "Subject: Fwd:", 1) + "\r\nhi\r\nfrom: me\r\n", []string{FwdNoThread}, nil},
		{"fwd bare", strings.Replace(okHeaders, "Subject: hello", "Subject: Fwd:", 1) + "\r\nsee attached\r\n", []string{FwdNoThread}, []string{ReNoThread}},
		{"subject merely starts with re", strings.Replace(okHeaders, "Subject: hello", "Subject: Regarding your order", 1) + "\r\nb\r\n", nil, []string{ReNoThread}},
		{"bulk toolkit", okHeaders + "X-Mailer: QuickSender 1.05\r\n\r\nb\r\n", []string{BulkMailer}, []string{ScriptMailer}},
		{"script mailer", okHeaders + "X-Mailer: Microsoft CDO for Windows 2000\r\n\r\nb\r\n", []string{ScriptMailer}, nil},
		{"ordinary mailer", okHeaders + "X-Mailer: Microsoft Outlook Express 6.00.2600.0000\r\n\r\nb\r\n", nil, []string{BulkMailer, ScriptMailer}},
		{"undisclosed", strings.Replace(okHeaders, "To: bob@example.org", "To: undisclosed-recipients:;", 1) + "\r\nb\r\n", []string{Undisclosed}, nil},
		{"mime missing boundary", okHeaders + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zzz\"\r\n\r\nno parts here\r\n", []string{mail.AnomalyMissingBoundary}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(t, c.raw)
			set := map[string]bool{}
			for _, g := range got {
				set[g] = true
			}
			for _, w := range c.want {
				if !set[w] {
					t.Errorf("want %s, got %v", w, got)
				}
			}
			for _, n := range c.not {
				if set[n] {
					t.Errorf("unexpected %s in %v", n, got)
				}
			}
		})
	}
}

func TestEverySymbolRegistered(t *testing.T) {
	for code := range mimeSymbols {
		if _, ok := pipeline.Lookup(code); !ok {
			t.Errorf("%s not registered", code)
		}
	}
}

func BenchmarkHeaderAnalyzer(b *testing.B) {
	raw := []byte(okHeaders + "Reply-To: x@gmail.com\r\n\r\nbody\r\n")
	as, _ := New(config.Default(), pipeline.Deps{})
	m := mail.Parse(raw, mail.Limits{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		task := pipeline.NewTask("t", m, pipeline.Envelope{}, nil)
		_ = as[0].Analyze(context.Background(), task)
	}
}
