package config

import "testing"

func TestRedisSection(t *testing.T) {
	c, err := Parse("[redis]\naddrs = [\"10.0.0.1:6379\", \"10.0.0.2:6379\"]\n")
	if err != nil || !c.Redis.Enabled() || c.Redis.Prefix != "sekisho:" {
		t.Fatalf("addrs: %+v %v", c.Redis, err)
	}
	if d, _ := Parse(""); d.Redis.Enabled() {
		t.Fatal("redis on by default")
	}
	for _, bad := range []string{
		"[redis]\naddrs = [\"a:1\"]\nurl = \"redis://b:2\"\n",
		"[redis]\naddrs = [\"nohost\"]\n",
		"[redis]\nurl = \"http://x\"\n",
		"[redis]\nurl = \"redis://x:1\"\nprefix = \"{x}\"\n",
		"[redis]\naddrs = [\"a:1\", \"b:2\"]\ndb = 3\n",
		"[redis]\nurl = \"redis://x:1\"\ntimeout = \"0s\"\n",
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
