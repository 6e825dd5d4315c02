package mail

import (
	"strings"
	"testing"
)

func TestUnflow(t *testing.T) {
	cases := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"This is a long \nparagraph that \nwraps.\nNext line.\n", false, "This is a long paragraph that wraps.\nNext line.\n"},
		// Japanese from Thunderbird: delsp=yes removes the added spaces.
		{"お世話になっており \nます。請求書を送 \n付します。\n", true, "お世話になっております。請求書を送付します。\n"},
		// Quote depths do not join; stuffing is undone; "-- " stays.
		{"> quoted soft \n> line\n>> deeper\n From stuffed\n-- \nsig\n", false, "> quoted soft line\n>> deeper\nFrom stuffed\n-- \nsig\n"},
		{"no final newline ", false, "no final newline \n"},
	}
	for _, c := range cases {
		if got := unflow(c.in, c.delsp); got != c.want {
			t.Errorf("unflow(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	m := Parse([]byte("Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\n\xe3\x82\xa2\xe3\x82\xab\xe3\x82\xa6\xe3\x83\xb3 \r\n\xe3\x83\x88\xe3\x81\x8c\xe5\x81\x9c\xe6\xad\xa2\r\n"), Limits{})
	if !strings.Contains(m.Text, "アカウントが停止") {
		t.Fatalf("flowed Japanese not joined: %q", m.Text)
	}
	// Linear on a hostile input.
	big := strings.Repeat("x \n", 200000)
	if got := unflow(big, true); len(got) != 200001 {
		t.Fatalf("%d", len(got))
	}
}
