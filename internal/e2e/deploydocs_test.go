package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestDeployDocsNameRealTests: every test the deployment guide cites as
// proof exists (a renamed test must not leave the guide claiming it).
func TestDeployDocsNameRealTests(t *testing.T) {
	root := repoRoot(t)
	var src strings.Builder
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, "_test.go") {
			b, _ := os.ReadFile(p)
			src.Write(b)
		}
		return nil
	})
	all := src.String()
	for _, doc := range []string{"deploy.md", "deploy.ja.md"} {
		b, err := os.ReadFile(filepath.Join(root, "docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		names := regexp.MustCompile("`((?:Test|Benchmark)[A-Z][A-Za-z0-9]+)`").FindAllStringSubmatch(string(b), -1)
		if len(names) < 5 {
			t.Fatalf("%s cites %d tests", doc, len(names))
		}
		for _, m := range names {
			if !strings.Contains(all, "func "+m[1]+"(") {
				t.Errorf("%s cites %s, which does not exist", doc, m[1])
			}
		}
	}
}

// TestGrafanaDashboard: the shipped dashboard is valid JSON and queries
// only metrics sekisho exports.
func TestGrafanaDashboard(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "packaging", "grafana", "sekisho-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	// What a running sekisho exports after one scan (labelled series
	// appear with their first value; failure series exist from start).
	sek := startSekisho(t, freePort(t), "")
	if code, body := httpPost(t, sek.p.rspamd, "/checkv2", spamMsg("grafana")); code != 200 {
		t.Fatalf("checkv2: %d %s", code, body)
	}
	_, metrics := httpGet(t, sek.p.console, "/metrics")
	n := 0
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, m := range regexp.MustCompile(`sekisho_[a-z_]+`).FindAllString(tg.Expr, -1) {
				n++
				if !strings.Contains(metrics, "\n"+m+"{") && !strings.Contains(metrics, "\n"+m+" ") {
					t.Errorf("panel %q queries %s, not exported", p.Title, m)
				}
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d metric references in the dashboard", n)
	}
}

// TestContainerConfig: the configuration the container image is built
// with (the Containerfile's sed over the example) checks, sets the data
// directory and listens beyond loopback.
func TestContainerConfig(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "packaging", "container", "Containerfile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)(sed -e .*?docs/sekisho\.example\.toml) > /out/sekisho\.toml`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no sed over the example in the Containerfile")
	}
	script := strings.ReplaceAll(string(m[1]), "\\\n", " ")
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	text := string(out)
	if !strings.Contains(text, "\ndata_dir = \"/var/lib/sekisho\"") || strings.Contains(text, "\nlisten = \"127.0.0.1:") || !strings.Contains(text, "\nlisten = \"0.0.0.0:11334\"") {
		t.Fatalf("container configuration:\n%s", text)
	}
	// config check with a writable data directory in place of the volume.
	text = strings.Replace(text, `data_dir = "/var/lib/sekisho"`, `data_dir = "`+t.TempDir()+`"`, 1)
	path := filepath.Join(t.TempDir(), "sekisho.toml")
	os.WriteFile(path, []byte(text), 0o644)
	if out, err := exec.Command(sekishoBin(t), "config", "check", path).CombinedOutput(); err != nil {
		t.Fatalf("container configuration does not check: %v\n%s", err, out)
	}
}
