package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigCheckRuleNames: a custom rule's name is a RULE_ symbol
// (docs/rules.md: "RULE_" + upper snake case), and so is every name in
// [rules] disable; config check names the file and the rule that break
// it, and passes the same file once the name is right.
func TestConfigCheckRuleNames(t *testing.T) {
	dir := t.TempDir()
	rule := func(name string) string {
		f := filepath.Join(dir, strings.ToLower(name)+".toml")
		body := fmt.Sprintf(`[[rule]]
name = %q
score = 2.0
category = "phishing"
en = "The local payroll lure."
ja = "社内の給与を装う誘い文句です。"
keywords = ["payroll update"]
positive = ["Please see the payroll update."]
negative = ["The payroll was paid."]
`, name)
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, name := range []string{"PAYROLL_UPDATE", "rule_payroll_update", "RULE_payroll"} {
		f := rule(name)
		out, err := configCheck(t, fmt.Sprintf("[rules]\nfiles = [%q]\n", f))
		if err == nil || !strings.Contains(out, name) || !strings.Contains(out, "RULE_") || !strings.Contains(out, filepath.Base(f)) {
			t.Errorf("custom rule %s accepted or not named: %v\n%s", name, err, out)
		}
	}
	if out, err := configCheck(t, fmt.Sprintf("[rules]\nfiles = [%q]\n", rule("RULE_LOCAL_PAYROLL_UPDATE"))); err != nil {
		t.Errorf("RULE_LOCAL_PAYROLL_UPDATE refused: %v\n%s", err, out)
	}
	out, err := configCheck(t, "[rules]\ndisable = [\"PHISH_BRAND_NOTICE\"]\n")
	if err == nil || !strings.Contains(out, "rules.disable") || !strings.Contains(out, "PHISH_BRAND_NOTICE") {
		t.Errorf("disable of a name without RULE_ accepted: %v\n%s", err, out)
	}
}
