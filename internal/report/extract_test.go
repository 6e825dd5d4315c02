package report

import (
	"bytes"
	"strings"
	"testing"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

const inner = `From: "IT Support" <support@evil.example>
To: alice@example.jp
Subject: Password expires
Message-ID: <phish-1@evil.example>

Reset now: https://evil.example/login
`

func TestExtract(t *testing.T) {
	attach := crlf(`From: Alice <alice@example.jp>
To: phish-report@example.jp
Subject: =?UTF-8?B?5aCx5ZGK?=
Accept-Language: ja-JP, en-US
Message-ID: <r1@example.jp>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=UTF-8

see attached
--b
Content-Type: message/rfc822

` + inner + `
--b--
`)
	x := Extract(attach)
	if x.Kind != KindAttachment || x.Lang != "ja" || x.From != "alice@example.jp" || x.Subject != "報告" || x.AutoReply {
		t.Errorf("attachment: %+v", x)
	}
	if !bytes.Contains(x.Message, []byte("phish-1@evil.example")) || bytes.Contains(x.Message, []byte("see attached")) {
		t.Errorf("attachment: wrong message %q", x.Message)
	}

	b64 := crlf(`From: bob@example.jp
Subject: fw
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=UTF-8

これはフィッシングですか
--b
Content-Type: message/rfc822
Content-Transfer-Encoding: base64

RnJvbTogYUBiLmV4YW1wbGUNClN1YmplY3Q6IGhpDQoNCmJvZHkNCg==
--b--
`)
	x = Extract(b64)
	if x.Kind != KindAttachment || x.Lang != "ja" || !bytes.HasPrefix(x.Message, []byte("From: a@b.example")) {
		t.Errorf("base64 attachment: %+v %q", x, x.Message)
	}

	arf := crlf(`From: abuse@isp.example
Subject: FW: complaint
Auto-Submitted: auto-generated
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="r"

--r
Content-Type: text/plain

This is an email abuse report.
--r
Content-Type: message/feedback-report

Feedback-Type: fraud
User-Agent: SomeGenerator/1.0
Version: 1

--r
Content-Type: message/rfc822

` + inner + `
--r--
`)
	x = Extract(arf)
	if x.Kind != KindARF || x.FeedbackType != "fraud" || !x.AutoReply || !bytes.Contains(x.Message, []byte("phish-1")) {
		t.Errorf("arf: %+v", x)
	}
	headersOnly := bytes.Replace(arf, []byte("Content-Type: message/rfc822"), []byte("Content-Type: text/rfc822-headers"), 1)
	if x = Extract(headersOnly); x.Kind != KindARF || !bytes.Contains(x.Message, []byte("phish-1")) {
		t.Errorf("arf headers only: %+v", x)
	}

	raw := crlf(inner)
	if x = Extract(raw); x.Kind != KindRaw || !bytes.Equal(x.Message, raw) || x.Lang != "" {
		t.Errorf("raw: %+v", x)
	}
	if x = Extract([]byte("\x00garbage")); x.Kind != KindRaw {
		t.Errorf("garbage: %+v", x)
	}
	for in, want := range map[string]string{"ja": "ja", "ja-JP,en;q=0.5": "ja", "en-GB": "en", "fr-FR, ja": "", "": ""} {
		if got := langOf(in); got != want {
			t.Errorf("langOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzExtract: report mail comes from anyone.
func FuzzExtract(f *testing.F) {
	f.Add(crlf(inner))
	f.Add(crlf("Content-Type: multipart/report; report-type=feedback-report; boundary=r\n\n--r\nContent-Type: message/rfc822\n\nx\n--r--\n"))
	f.Add(crlf("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\n"))
	f.Add([]byte("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x := Extract(b)
		if len(x.Message) > len(b)+16 {
			t.Fatalf("extracted %d bytes from %d", len(x.Message), len(b))
		}
	})
}
