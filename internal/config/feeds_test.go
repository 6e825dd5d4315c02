package config

import (
	"strings"
	"testing"
)

func TestFeedsConfig(t *testing.T) {
	c, err := Parse(`
[[feeds]]
name = "partner-taxii"
type = "taxii"
url = "https://taxii.example.net/taxii2/"
auth = "bearer x"
interval = "30m"
[[feeds]]
name = "urlhaus"
type = "csv"
path = "/tmp/x.csv"
column = "url"
weight = 1.5
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Feeds) != 2 || c.Feeds[1].WithFeedDefaults().Interval.Hours() != 1 || c.Feeds[0].WithFeedDefaults().Weight != 1 {
		t.Errorf("feeds %+v", c.Feeds)
	}
	for _, bad := range []string{
		`name = "Bad Name"` + "\ntype = \"list\"\npath = \"/x\"",
		`name = "a"` + "\ntype = \"rss\"\npath = \"/x\"",
		`name = "a"` + "\ntype = \"list\"",
		`name = "a"` + "\ntype = \"list\"\npath = \"/x\"\nurl = \"https://x/\"",
		`name = "a"` + "\ntype = \"taxii\"\npath = \"/x\"",
		`name = "a"` + "\ntype = \"list\"\nurl = \"ftp://x/\"",
		`name = "a"` + "\ntype = \"list\"\npath = \"/x\"\ncolumn = \"2\"",
		`name = "a"` + "\ntype = \"stix\"\npath = \"/x\"\nkind = \"url\"",
		`name = "a"` + "\ntype = \"list\"\npath = \"/x\"\nkind = \"wallet\"",
		`name = "a"` + "\ntype = \"list\"\npath = \"/x\"\nauth = \"token x\"",
		`name = "a"` + "\ntype = \"list\"\npath = \"/x\"\ninterval = \"10ms\"",
	} {
		if _, err := Parse("[[feeds]]\n" + bad + "\n"); err == nil {
			t.Errorf("accepted: %s", strings.ReplaceAll(bad, "\n", "; "))
		}
	}
	if _, err := Parse("[[feeds]]\nname = \"a\"\ntype = \"list\"\npath = \"/x\"\n[[feeds]]\nname = \"a\"\ntype = \"list\"\npath = \"/y\"\n"); err == nil {
		t.Error("duplicate name accepted")
	}
}
