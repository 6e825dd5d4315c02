package mail

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

var benchHTML = strings.Repeat(`<div class="row" style="color:#333;background-color:#fff"><p>Dear customer, your <b>account</b> needs attention.
<a href="https://example.com/login?id=12345&amp;x=y">Click here</a> <img src="http://img.example.com/a.png" alt="logo"></p>
<span style="font-size:1px;color:#fff">hidden filler text</span><table><tr><td>cell</td><td bgcolor="#eeeeee">cell2</td></tr></table></div>
`, 50)

func BenchmarkRenderHTML(b *testing.B) {
	b.SetBytes(int64(len(benchHTML)))
	for b.Loop() {
		renderHTML(benchHTML, 4<<20)
	}
}

var benchText = strings.Repeat("Hello, please visit http://www.example.com/path?x=1 or www.foo.org. 詳しくはhttps://example.jp/a。をご覧ください。Thanks, and see report.pdf\n", 100)

func BenchmarkExtractTextURLs(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		extractTextURLs(benchText)
	}
}

func BenchmarkDecodeHeader(b *testing.B) {
	h := "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?= Re: =?utf-8?Q?caf=C3=A9?="
	b.SetBytes(int64(len(h)))
	for b.Loop() {
		DecodeHeader(h)
	}
}

func BenchmarkDecodeHeaderASCII(b *testing.B) {
	h := "Re: [list] a plain ASCII subject line of ordinary length"
	b.SetBytes(int64(len(h)))
	for b.Loop() {
		DecodeHeader(h)
	}
}

func BenchmarkDecodeShiftJIS(b *testing.B) {
	sj, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte(strings.Repeat(jaText+"\n", 100)))
	b.SetBytes(int64(len(sj)))
	for b.Loop() {
		decodeCharset(sj, "shift_jis")
	}
}

func BenchmarkSniffUnlabelledJapanese(b *testing.B) {
	sj, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte(strings.Repeat(jaText+"\n", 100)))
	b.SetBytes(int64(len(sj)))
	for b.Loop() {
		decodeCharset(sj, "")
	}
}

func BenchmarkSniffUnlabelledLatin1(b *testing.B) {
	l1, _ := charmap.ISO8859_1.NewEncoder().Bytes([]byte(strings.Repeat(frText+"\n", 100)))
	b.SetBytes(int64(len(l1)))
	for b.Loop() {
		decodeCharset(l1, "")
	}
}

func BenchmarkParseSmall(b *testing.B) {
	raw := []byte("From: Taro <taro@example.jp>\r\nTo: a@example.jp\r\nSubject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\nDate: Mon, 10 Jun 2024 10:00:00 +0900\r\nMessage-ID: <x@example.jp>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello http://example.com/ world\r\n")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		Parse(raw, Limits{})
	}
}
